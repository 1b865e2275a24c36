/** A URL's host name as sockets take it: an IPv6 address without its brackets ("[::1]" → "::1"). */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}
