import { FieldCheck } from "../../server/validate/field-check.js";

export const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const MIN_PASSWORD = 8;
/** scrypt reads all of it; a bound keeps a huge body from costing much. */
export const MAX_PASSWORD = 1024;

/** `{name, password}` of register and login, checked; a 400 names the field. */
export function credentialsBody(body: unknown, call: string, rules: "register" | "login"): { name: string; password: string } {
  const check = new FieldCheck(call);
  const fields = check.root(body, "the request body");
  const name = check.string(fields, "name");
  const password = check.string(fields, "password");
  if (rules === "register") {
    if (!NAME_PATTERN.test(name)) throw check.fail("name", `must be 1 to 64 letters, digits, ".", "_" or "-" (got ${JSON.stringify(name.slice(0, 80))})`);
    if ([...password].length < MIN_PASSWORD) throw check.fail("password", `must be at least ${MIN_PASSWORD} characters`);
  }
  if (password.length > MAX_PASSWORD) throw check.fail("password", `must be at most ${MAX_PASSWORD} characters`);
  return { name, password };
}
