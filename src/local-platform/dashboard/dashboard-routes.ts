import { join } from "node:path";
import { notFound, PUBLIC, type Reply, type Route } from "../../server/index.js";
import type { PlatformDeps } from "../platform-deps.js";
import { cachedFile, DASHBOARD_FILES, defaultAssetsDir, socketIoClientFile } from "./dashboard-assets.js";

export interface DashboardOptions {
  /** Where index.html, app.js and style.css are (default: the package's assets/dashboard/). */
  assetsDir?: string;
}

/**
 * The page may run only its own script and style and talk only to its own origin (the API and
 * socket.io); a report opens in a new tab, outside it.
 */
const HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
};

/**
 * The dashboard (docs/local-platform.md, "Live"): `GET /` and its files, and the socket.io browser
 * client. Public: the page holds no data, it asks the API with the token it keeps. The platform's
 * deps are taken like every part's; the page reads nothing of them.
 */
export function dashboardRoutes(_deps: PlatformDeps, options: DashboardOptions = {}): Route[] {
  const dir = options.assetsDir ?? defaultAssetsDir();
  const files = new Map([...DASHBOARD_FILES].map(([name, contentType]) => [name, { read: cachedFile(join(dir, name)), contentType }]));
  const socketIo = { read: cachedFile(socketIoClientFile()), contentType: "text/javascript; charset=utf-8" };
  const serve = async (file: { read: () => Promise<Buffer>; contentType: string }): Promise<Reply> => ({
    status: 200,
    body: await file.read(),
    contentType: file.contentType,
    headers: HEADERS,
  });
  return [
    { method: "GET", path: "", scope: PUBLIC, handle: () => serve(files.get("index.html")!) },
    {
      method: "GET",
      path: "assets/dashboard/:name",
      scope: PUBLIC,
      handle: async ({ params }) => {
        const name = params.get("name");
        const file = files.get(name);
        if (!file) throw notFound(`no dashboard file "${name}"`);
        return serve(file);
      },
    },
    { method: "GET", path: "assets/socket.io.min.js", scope: PUBLIC, handle: () => serve(socketIo) },
  ];
}
