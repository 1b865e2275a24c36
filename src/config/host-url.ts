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
    throw new ConfigError(`${where} must be an http(s) URL (got ${JSON.stringify(value)})${guess}`);
  }
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}
