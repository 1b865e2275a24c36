import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSolver, type RunEvent } from "../../src/index.js";
import { useTempWorks } from "../helpers/work-dir.js";

const { work } = useTempWorks();

/** Every file a run leaves that a user may paste or the platform receives. */
async function leftBehind(dir: string): Promise<string> {
  const files = ["debug/run.json", "debug/runner.log", "debug/main.txt", "outputs/logs/main.log", "outputs/report.html"];
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), "utf8").catch(() => "")));
  return texts.join("\n");
}

describe("secrets in a run's messages, files and result", () => {
  it("the password of a host URL is never shown: offline fallback warning, notes, run.json, runner.log, report", async () => {
    const w = await work("hello.py", {
      host: "http://alice:hostpass999@127.0.0.1:1/",
      token: "tok-abcdefgh",
      project: "p1",
      simulation: "sim1",
      job: "job1",
      owner: "owner1",
    });
    const events: RunEvent[] = [];
    const result = await runSolver({
      configPath: w.configPath,
      offlineFallback: true,
      tuning: { retry: { tries: 1, baseDelayMs: 10 } },
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe("finished");
    expect(result.warnings.join("\n")).toContain("the platform at http://127.0.0.1:1/ cannot be reached");
    const everything = [JSON.stringify(result), JSON.stringify(events), await leftBehind(w.dir)].join("\n");
    expect(everything).toContain("running offline");
    expect(everything).not.toContain("hostpass999");
    expect(everything).not.toContain("tok-abcdefgh");
  });

  it("a config token overridden by PHYSICSWORKS_TOKEN is still redacted where the solver prints it", async () => {
    const w = await work("hello.py", { token: "CONFIGTOKEN1234" });
    await writeFile(join(w.dir, "scripts", "hello.py"), 'print(open("../config.json").read(), flush=True)\n');
    const result = await runSolver({ configPath: w.configPath, env: { ...process.env, PHYSICSWORKS_TOKEN: "ENVTOKEN5678" } });
    expect(result.status).toBe("finished");
    const everything = [JSON.stringify(result), await leftBehind(w.dir)].join("\n");
    expect(everything).toContain('"token": "***"');
    expect(everything).not.toContain("CONFIGTOKEN1234");
  });
});
