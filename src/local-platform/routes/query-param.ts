import type { IncomingMessage } from "node:http";

/** One query parameter of the request, undefined when absent (the router sees only the path). */
export function queryParam(req: IncomingMessage, name: string): string | undefined {
  const url = req.url ?? "";
  const at = url.indexOf("?");
  if (at === -1) return undefined;
  return new URLSearchParams(url.slice(at + 1)).get(name) ?? undefined;
}
