import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The dashboard's own files (app.js imports the other modules) and their content types: nothing else under assets/dashboard/ is served. */
export const DASHBOARD_FILES: ReadonlyMap<string, string> = new Map([
  ["index.html", "text/html; charset=utf-8"],
  ["app.js", "text/javascript; charset=utf-8"],
  ["api.js", "text/javascript; charset=utf-8"],
  ["dom.js", "text/javascript; charset=utf-8"],
  ["download.js", "text/javascript; charset=utf-8"],
  ["csv-series.js", "text/javascript; charset=utf-8"],
  ["chart-geometry.js", "text/javascript; charset=utf-8"],
  ["line-chart.js", "text/javascript; charset=utf-8"],
  ["job-charts.js", "text/javascript; charset=utf-8"],
  ["job-panel.js", "text/javascript; charset=utf-8"],
  ["job-views.js", "text/javascript; charset=utf-8"],
  ["style.css", "text/css; charset=utf-8"],
]);

/**
 * assets/dashboard/ of the package. This module sits at the same depth in src/ (tests) and dist/
 * (the built package): <root>/{src,dist}/local-platform/dashboard/.
 */
export function defaultAssetsDir(): string {
  return fileURLToPath(new URL("../../../assets/dashboard/", import.meta.url));
}

/**
 * The browser build of socket.io-client, from wherever the package resolves it (installed beside
 * us or hoisted). Its dist/ files are not all in its "exports", so the way in is package.json.
 */
export function socketIoClientFile(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("socket.io-client/package.json")), "dist/socket.io.min.js");
}

/** Reads a file on first use and keeps it: the dashboard's files do not change while it serves. */
export function cachedFile(path: string): () => Promise<Buffer> {
  let bytes: Promise<Buffer> | undefined;
  return () => {
    if (!bytes) {
      const reading = readFile(path);
      // A failed read is tried again next time rather than kept.
      reading.catch(() => {
        if (bytes === reading) bytes = undefined;
      });
      bytes = reading;
    }
    return bytes;
  };
}
