import { existsSync } from "node:fs";

/** Debian's chromium (`apt-get install -y chromium`; .ci/run installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * How this machine's notes start it: headless, as root, and without the background networking that
 * keeps trying Google's hosts on this closed network.
 */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/**
 * Whether a browser test can run. Without chromium it is skipped, loudly, on a developer's machine
 * (`what` says what goes unchecked); in CI (CI set) it runs and `requireChromium` fails it.
 */
export function chromiumGate(testFile: string, what: string): { skip: boolean } {
  const skip = !existsSync(CHROMIUM) && !process.env.CI;
  if (skip) {
    console.warn(
      `\n*** ${testFile} SKIPPED: ${CHROMIUM} is missing. ${what} is NOT checked in a browser. ` +
        "Install it (apt-get install -y chromium) to run this test; in CI (CI set) it fails instead. ***\n",
    );
  }
  return { skip };
}

/** Throws in a browser test that runs (CI) without chromium. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: CI must install it (apt-get install -y chromium) before the tests`);
}
