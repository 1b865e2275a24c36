import { posix } from "node:path";

export interface OutputType {
  contentType: string;
  /** Shown by the browser as it is; anything else is saved, never rendered on the platform's origin. */
  inline: boolean;
}

const TYPES: Record<string, OutputType> = {
  ".csv": { contentType: "text/csv; charset=utf-8", inline: true },
  ".txt": { contentType: "text/plain; charset=utf-8", inline: true },
  ".log": { contentType: "text/plain; charset=utf-8", inline: true },
  ".zip": { contentType: "application/zip", inline: false },
  ".html": { contentType: "text/html; charset=utf-8", inline: false },
  ".htm": { contentType: "text/html; charset=utf-8", inline: false },
};
const OTHER: OutputType = { contentType: "application/octet-stream", inline: false };

/** How a stored output is sent, by its extension: a solver's HTML is a download, not a page of ours. */
export function outputType(outputPath: string): OutputType {
  return TYPES[posix.extname(outputPath).toLowerCase()] ?? OTHER;
}

/** The path's last segment, with anything but letters, digits, ".", "_" and "-" made "_": it goes in a header. */
export function outputFilename(outputPath: string): string {
  return (posix.basename(outputPath) || "output").replace(/[^A-Za-z0-9._-]/g, "_");
}
