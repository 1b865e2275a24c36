// Saving what the API answers as a file: its routes need the token in a header, so a download is
// fetched and saved from a blob rather than linked.
import { api } from "./api.js";
import { el } from "./dom.js";

/** Fetches `path` and saves it under the server's filename (or `fallbackName`); returns the bytes saved. */
export async function saveDownload(path, fallbackName) {
  const res = await api("GET", path);
  const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? fallbackName;
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return blob.size;
}
