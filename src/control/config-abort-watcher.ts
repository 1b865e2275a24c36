import { readFile, stat } from "node:fs/promises";

/**
 * Polls the config file and calls `onAbort` once it holds `"abort": true`.
 * Polling (not inotify) because the file is often written from another node on a shared filesystem.
 */
export function watchConfigForAbort(configPath: string, intervalMs: number, onAbort: () => void): () => void {
  let lastMtime = -1;
  let stopped = false;
  let busy = false;
  const check = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const { mtimeMs, size } = await stat(configPath);
      const key = mtimeMs + size;
      if (key === lastMtime) return;
      lastMtime = key;
      const config: unknown = JSON.parse(await readFile(configPath, "utf8"));
      if (config && typeof config === "object" && (config as { abort?: unknown }).abort === true && !stopped) {
        stopped = true;
        onAbort();
      }
    } catch {
      // Half-written or briefly missing while someone saves it: look again next time.
      lastMtime = -1;
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
