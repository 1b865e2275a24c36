import { randomBytes, randomUUID } from "node:crypto";
import { io as connect, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { attachPlatformLive } from "../../src/local-platform/dashboard/platform-live.js";
import { createJobEvents } from "../../src/local-platform/job-events.js";
import type { Job, JobEvents } from "../../src/local-platform/platform-types.js";
import { mintToken, SCOPES } from "../../src/server/index.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let t: TestServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.disconnect();
  await t?.cleanup();
  t = undefined;
});

const secret = randomBytes(32).toString("hex");

/** Job events that also tell how many listeners are left. */
function countedEvents(): JobEvents & { listening(): number } {
  const events = createJobEvents();
  let listening = 0;
  return {
    emit: (job) => events.emit(job),
    on(listener) {
      listening += 1;
      const stop = events.on(listener);
      return () => {
        listening -= 1;
        stop();
      };
    },
    listening: () => listening,
  };
}

async function platformServer(events: JobEvents): Promise<TestServer> {
  t = await startTestServer({ jwtSecret: secret, extension: { onSocketServer: (io) => attachPlatformLive(io, { settings: { jwtSecret: secret }, events }) } });
  return t;
}

function userToken(sub: string, scope: string[] = [SCOPES.jobs], key = secret): string {
  return mintToken(key, { sub, scope, expiresIn: "1h" });
}

function open(url: string, token: unknown): Socket {
  const socket = connect(new URL("platform", url).href, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
  sockets.push(socket);
  return socket;
}

function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error) => reject(error));
  });
}

function refused(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once("connect_error", (error) => resolve(error.message));
    socket.once("connect", () => reject(new Error("connected without a valid user token")));
  });
}

/** Every job:update the socket hears, and a wait for one of them. */
function heard(socket: Socket): { jobs: Job[]; until(id: string): Promise<void> } {
  const jobs: Job[] = [];
  const waiters: { id: string; resolve: () => void }[] = [];
  socket.on("job:update", (job: Job) => {
    jobs.push(job);
    for (const waiter of waiters.filter((w) => w.id === job.id)) waiter.resolve();
  });
  return { jobs, until: (id) => new Promise((resolve) => (jobs.some((j) => j.id === id) ? resolve() : waiters.push({ id, resolve }))) };
}

function job(owner: string, patch: Partial<Job> = {}): Job {
  return {
    id: randomUUID(),
    owner,
    solver: "heat1d",
    sweepId: null,
    parameters: {},
    config: {},
    status: "running",
    progress: 10,
    statusLabel: null,
    runId: null,
    error: null,
    exitCode: null,
    createdAt: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    endedAt: null,
    ...patch,
  };
}

describe("the /platform namespace", () => {
  it("sends job:update to the job's owner and to admins, never to another user", async () => {
    const events = countedEvents();
    const { url } = await platformServer(events);
    const alice = open(url, userToken("alice"));
    const bob = open(url, userToken("bob"));
    const root = open(url, userToken("root", [SCOPES.jobs, SCOPES.admin]));
    await Promise.all([alice, bob, root].map(connected));
    const toAlice = heard(alice);
    const toBob = heard(bob);
    const toRoot = heard(root);

    // Bob's job first: a socket hears its events in order, so had Alice been sent Bob's job she
    // would have heard it before her own.
    const bobs = job("bob");
    const alices = job("alice", { progress: 55, statusLabel: "time step 55/100" });
    const roots = job("root");
    events.emit(bobs);
    events.emit(alices);
    events.emit(roots);
    await Promise.all([toAlice.until(alices.id), toBob.until(bobs.id), toRoot.until(roots.id)]);

    expect(toAlice.jobs).toEqual([alices]);
    expect(toBob.jobs).toEqual([bobs]);
    // An admin hears every job, their own once although their socket is in both rooms.
    expect(toRoot.jobs).toEqual([bobs, alices, roots]);
  });

  it("refuses a missing, forged or expired token and one without the jobs scope, and says nothing of it", async () => {
    const { url } = await platformServer(countedEvents());
    const forged = userToken("alice", [SCOPES.jobs], "not-the-secret");
    expect(await refused(open(url, forged))).toBe("invalid auth token");
    expect(await refused(open(url, undefined))).toBe("missing auth token");
    expect(await refused(open(url, "garbage"))).toBe("invalid auth token");
    const expired = mintToken(secret, { sub: "alice", scope: [SCOPES.jobs], expiresIn: -10 });
    expect(await refused(open(url, expired))).toBe("auth token expired");
    const runner = userToken("job:1", [SCOPES.runner]);
    const message = await refused(open(url, runner));
    expect(message).toBe('/platform needs the scope "jobs"');
    expect(message).not.toContain(runner);
  });

  it("closes a socket when its token expires; the token is then refused", async () => {
    const { url } = await platformServer(countedEvents());
    const token = mintToken(secret, { sub: "alice", scope: [SCOPES.jobs], expiresIn: 2 });
    const socket = open(url, token);
    await connected(socket);
    const reason = await new Promise<string>((resolve) => socket.once("disconnect", (why) => resolve(why)));
    expect(reason).toBe("io server disconnect");
    expect(await refused(open(url, token))).toBe("auth token expired");
  });

  it("stops listening to job events when the server closes", async () => {
    const events = countedEvents();
    const s = await platformServer(events);
    expect(events.listening()).toBe(1);
    await s.server.close();
    expect(events.listening()).toBe(0);
    events.emit(job("alice")); // nobody left to send it to, and no throw
  });
});
