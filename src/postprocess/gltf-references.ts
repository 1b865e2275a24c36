/**
 * The files a .gltf needs beside it: `buffers[].uri` (.bin) and `images[].uri` (textures), when they are
 * relative paths. Embedded `data:` URIs and URLs need nothing; a reference that would leave outputs/ is
 * not followed (the archive holds outputs/ and nothing else).
 */
import { readFile, stat } from "node:fs/promises";
import { posix } from "node:path";

export interface GltfReferences {
  /** Paths relative to outputs/, "/"-separated. */
  files: string[];
  warnings: string[];
}

/** A gltf is JSON; one larger than this is not a model a viewer loads anyway, and we will not parse it. */
const MAX_GLTF_BYTES = 256 * 1024 ** 2;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** `gltfPath` is relative to outputs/; `source` is the file to read. */
export async function gltfReferences(gltfPath: string, source: string): Promise<GltfReferences> {
  const out: GltfReferences = { files: [], warnings: [] };
  const label = `outputs/${gltfPath}`;
  if ((await stat(source)).size > MAX_GLTF_BYTES) {
    out.warnings.push(`${label}: larger than ${MAX_GLTF_BYTES / 1024 ** 2} MiB; the files it references are not looked for`);
    return out;
  }
  let gltf: unknown;
  try {
    gltf = JSON.parse(await readFile(source, "utf8"));
  } catch (error) {
    out.warnings.push(`${label}: not valid glTF JSON (${(error as Error).message}); packed without the files it references`);
    return out;
  }
  const folder = posix.dirname(gltfPath);
  for (const uri of uris(gltf)) {
    if (uri.startsWith("data:") || SCHEME.test(uri) || uri.startsWith("//")) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(uri);
    } catch {
      out.warnings.push(`${label}: reference ${JSON.stringify(uri)} is not a valid URI; left out`);
      continue;
    }
    const path = posix.normalize(posix.join(folder, decoded));
    if (decoded.startsWith("/") || path === ".." || path.startsWith("../")) {
      out.warnings.push(`${label}: reference ${JSON.stringify(uri)} points outside outputs/; left out`);
      continue;
    }
    if (!out.files.includes(path)) out.files.push(path);
  }
  return out;
}

function uris(gltf: unknown): string[] {
  if (typeof gltf !== "object" || gltf === null) return [];
  const list: string[] = [];
  for (const key of ["buffers", "images"]) {
    const items = (gltf as Record<string, unknown>)[key];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      const uri = typeof item === "object" && item !== null ? (item as Record<string, unknown>).uri : undefined;
      if (typeof uri === "string" && uri !== "") list.push(uri);
    }
  }
  return list;
}
