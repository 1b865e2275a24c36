import type { IncomingMessage } from "node:http";
import { readBody } from "./consume-body.js";
import { badRequest } from "./http-error.js";

/** A JSON request body, parsed; a bad one is a 400 naming the call. */
export async function readJson(req: IncomingMessage, limit: number, call: string): Promise<unknown> {
  const body = await readBody(req, limit, call);
  return parseJson(body.toString("utf8"), call, "the request body");
}

export function parseJson(text: string, call: string, what: string): unknown {
  if (text.trim() === "") throw badRequest(`${call}: ${what} is empty; it must be JSON`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof SyntaxError ? ` (${error.message})` : "";
    throw badRequest(`${call}: ${what} is not valid JSON${reason}`);
  }
}
