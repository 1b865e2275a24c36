import { constants } from "node:fs";
import { lstat, open } from "node:fs/promises";
import { REPORT_CSP } from "./html-page.js";

/** Every page this runner writes has this line near its top (html-page.ts), from its first version on. */
const MARK = `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`;

/**
 * Whether outputs/report.html (or any `path`) is a run report this runner wrote: true; false when
 * it is another program's, the solver's own (a link, a FIFO or anything but a regular file
 * included: the runner never writes those); undefined when nothing is there. The runner's report
 * must not overwrite a solver's, nor an earlier run's report of this runner go out as an output.
 */
export async function isRunnerReport(path: string): Promise<boolean | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isFile()) return false;
  // Non-blocking: should a FIFO have taken its place since the lstat, the open does not wait for a writer.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => undefined);
  if (!handle) return false;
  try {
    if (!(await handle.stat()).isFile()) return false;
    const head = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead).toString("utf8").includes(MARK);
  } finally {
    await handle.close();
  }
}
