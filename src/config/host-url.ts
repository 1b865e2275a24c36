import { ConfigError } from "../errors.js";

/** The host always ends with "/" (protocol.md); anything but an http(s) URL is refused with a hint. */
export function normalizeHost(value: string, where: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    const guess = /^[\w.-]+(:\d+)?(\/.*)?$/.test(value) ? `; did you mean "http://${value.replace(/\/?$/, "/")}"?` : "";
    throw new ConfigError(`${where} must be an http(s) URL (got ${JSON.stringify(withoutUserinfo(value))})${guess}`);
  }
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}

/** The host as messages, notes and reports show it: without a user and password it may carry. */
export function shownHost(host: string): string {
  try {
    const url = new URL(host);
    return `${url.origin}${url.pathname}`;
  } catch {
    return withoutUserinfo(host);
  }
}

/** The password of a host URL (`http://user:pass@…`), as written and decoded, for redaction; none when it has none. */
export function hostPasswords(host: string | undefined): string[] {
  if (!host) return [];
  try {
    const { password } = new URL(host);
    return password ? [...new Set([password, decodeURIComponent(password)])] : [];
  } catch {
    return [];
  }
}

function withoutUserinfo(text: string): string {
  return text.replace(/\/\/[^/@]*@/, "//***@");
}
