import { spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { groupMemberHasEnv } from "../../src/process/group-member-env.js";

const children: number[] = [];
afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
});

/** A process group whose leader exits at once, leaving a member that sleeps: a daemon's shape. */
async function leaderlessGroup(env: NodeJS.ProcessEnv): Promise<number> {
  const leader = spawn("python3", ["-c", "import os, time\nif os.fork() == 0:\n    time.sleep(30)\n"], { detached: true, stdio: "ignore", env });
  const pgid = leader.pid as number;
  children.push(pgid);
  await new Promise((resolve) => leader.once("exit", resolve));
  return pgid;
}

describe.runIf(process.platform === "linux")("groupMemberHasEnv", () => {
  it("finds the run's mark in a member of a group whose leader is gone, and not another's", async () => {
    const ours = await leaderlessGroup({ ...process.env, PHYSICSWORKS_WORK_DIR: "/scratch/run42" });
    expect(await groupMemberHasEnv(ours, "PHYSICSWORKS_WORK_DIR", "/scratch/run42")).toBe(true);
    expect(await groupMemberHasEnv(ours, "PHYSICSWORKS_WORK_DIR", "/scratch/run4")).toBe(false);
    const other = await leaderlessGroup({ PATH: process.env.PATH });
    expect(await groupMemberHasEnv(other, "PHYSICSWORKS_WORK_DIR", "/scratch/run42")).toBe(false);
  });
});
