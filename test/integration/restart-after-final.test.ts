/**
 * A runner started again on a work directory whose run had ended (its final status went) with
 * init skipped (--startingStage=post-process): it cannot resume that run node, so it reports to a
 * new one, and says so (init, which would name it, did not run).
 */
import { afterEach, describe, expect, it } from "vitest";
import { runSolver } from "../../src/index.js";
import { writePlatformRun } from "../helpers/platform-run.js";
import { plainRunData, seedRunData, startTestServer } from "../helpers/server.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { tempDir } = useTempWorks();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe("a restart after the run's final status went", () => {
  it("with --startingStage=post-process reports to a new run node and warns that the earlier one had ended", async () => {
    const s = await startTestServer({ socketIo: false });
    cleanups.push(() => s.cleanup());
    await seedRunData(s.dataDir, "p1", "sim1", plainRunData());
    const dir = await tempDir("pw-restart-final-");
    const configPath = await writePlatformRun(dir, s, 'print("done")\n');
    const first = await runSolver({ configPath });
    expect(first.status, first.error?.message).toBe("finished");

    const again = await runSolver({ configPath, startingStage: "post-process" });
    expect(again.status, again.error?.message).toBe("finished");
    expect(again.runId).not.toBe(first.runId);
    expect(again.warnings).toContain(
      `the run node ${first.runId} of debug/platform-run.json had ended (its final status went): this start reports to a new run node, ${again.runId}`,
    );
  }, 60_000);
});
