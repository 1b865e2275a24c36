// The local platform's dashboard: plain JS modules, no build step. Everything shown that came from
// the server or a user is set as text, never parsed as HTML.
import { apiJson, keepToken, session } from "./api.js";
import { $, duration, el, elapsed, ENDED, shortId, throttle } from "./dom.js";
import { cancelJob, closeJob, downloadResult, jobChanged, openJob, openReport, panel, refresh } from "./job-panel.js";
import { jobRow } from "./job-views.js";

const PAGE = 20;
const state = { user: null, jobs: [], total: 0, offset: 0, status: "", socket: null };

// ---- session ---------------------------------------------------------------------------------

async function signIn(mode) {
  $("auth-error").textContent = "";
  try {
    const answer = await apiJson("POST", `api/v1/auth/${mode}`, { name: $("auth-name").value.trim(), password: $("auth-password").value });
    keepToken(answer.token);
    $("auth-password").value = "";
    await start(answer.user);
  } catch (error) {
    $("auth-error").textContent = error.message;
  }
}

function signOut(message = "") {
  keepToken(null);
  state.socket?.disconnect();
  Object.assign(state, { user: null, jobs: [], total: 0, offset: 0, status: "", socket: null });
  $("status-filter").value = "";
  if (panel.id) closeJob();
  $("app").hidden = true;
  $("session").hidden = true;
  $("auth").hidden = false;
  $("auth-error").textContent = message;
  $("auth-name").focus();
}
session.onUnauthorized = () => signOut("Your session ended: log in again.");

async function start(user) {
  state.user = user;
  $("user-name").textContent = `${user.name}${user.scopes.includes("admin") ? " (admin)" : ""}`;
  $("auth").hidden = true;
  $("session").hidden = false;
  $("app").hidden = false;
  connectLive();
  await Promise.all([loadSolvers(), loadJobs(), loadStats()]);
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("job");
  if (fromHash) await openJob(fromHash);
}

// ---- live ------------------------------------------------------------------------------------

function connectLive() {
  if (typeof window.io !== "function") return; // no socket.io client: the list is polled instead
  const socket = window.io("/platform", { auth: { token: session.token }, transports: ["websocket", "polling"] });
  state.socket = socket;
  const show = (on) => {
    $("live").dataset.live = on ? "on" : "off";
    $("live").textContent = on ? "live" : "offline";
  };
  socket.on("connect", () => {
    show(true);
    void loadJobs(); // what changed while away
  });
  socket.on("disconnect", () => show(false));
  socket.on("connect_error", (error) => {
    show(false);
    if (/token|unauthorized|scope/i.test(error.message)) signOut("Your session ended: log in again.");
  });
  socket.on("job:update", onJobUpdate);
}

function onJobUpdate(job) {
  const index = state.jobs.findIndex((j) => j.id === job.id);
  if (index >= 0) {
    state.jobs[index] = job;
    document.querySelector(`tr[data-job-id="${CSS.escape(job.id)}"]`)?.replaceWith(row(job));
  } else if (state.offset === 0 && (!state.status || job.status === state.status) && (!state.jobs[0] || job.createdAt >= state.jobs[0].createdAt)) {
    state.jobs.unshift(job);
    if (state.jobs.length > PAGE) state.jobs.pop();
    state.total += 1;
    renderJobs();
  }
  jobChanged(job);
  refreshStats();
}

// ---- solvers and submit ----------------------------------------------------------------------

async function loadSolvers() {
  const solvers = await apiJson("GET", "api/v1/solvers");
  const select = $("solver");
  const previous = select.value;
  select.replaceChildren(...solvers.map((s) => el("option", { value: s.name, dataset: { description: s.description ?? "" } }, s.name)));
  if (solvers.some((s) => s.name === previous)) select.value = previous;
  showSolverDescription();
}

function showSolverDescription() {
  $("solver-description").textContent = $("solver").selectedOptions[0]?.dataset.description ?? "";
}

function showParametersHint() {
  $("parameters-hint").textContent = $("as-sweep").checked
    ? 'A list or a range gives one job per value, combined over the parameters: {"alpha": [0.0001, 0.0002], "nx": {"from": 21, "to": 81, "steps": 3}}.'
    : 'Given to the solver as --name=value, e.g. {"alpha": 0.0001}.';
}

async function submitJob() {
  const message = $("submit-message");
  const fail = (text) => {
    message.className = "small error";
    message.textContent = text;
  };
  message.className = "small";
  let parameters;
  try {
    parameters = JSON.parse($("parameters").value.trim() || "{}");
    if (parameters === null || typeof parameters !== "object" || Array.isArray(parameters)) throw new Error("not an object");
  } catch {
    fail('Parameters must be a JSON object, like {"alpha": 0.0001}.');
    $("parameters").focus();
    return;
  }
  $("submit").disabled = true;
  const solver = $("solver").value;
  try {
    const answer = await apiJson("POST", "api/v1/jobs", $("as-sweep").checked ? { solver, sweep: { parameters } } : { solver, parameters });
    for (const job of [...answer.jobs].reverse()) onJobUpdate(job);
    message.textContent = answer.sweepId ? `Submitted a sweep of ${answer.jobs.length} jobs.` : `Submitted job ${shortId(answer.jobs[0].id)}.`;
    await openJob(answer.jobs[0].id);
  } catch (error) {
    fail(error.message);
  } finally {
    $("submit").disabled = false;
  }
}

// ---- jobs table ------------------------------------------------------------------------------

async function loadJobs() {
  const status = state.status ? `&status=${encodeURIComponent(state.status)}` : "";
  const answer = await apiJson("GET", `api/v1/jobs?limit=${PAGE}&offset=${state.offset}${status}`);
  state.jobs = answer.jobs;
  state.total = answer.total;
  renderJobs();
}

const row = (job) => jobRow(job, { selected: job.id === panel.id, onOpen: (id) => void openJob(id) });

function renderJobs() {
  $("jobs-body").replaceChildren(...state.jobs.map(row));
  $("jobs-empty").hidden = state.jobs.length > 0;
  $("jobs-total").textContent = state.total ? `${state.offset + 1}–${state.offset + state.jobs.length} of ${state.total}` : "";
  $("newer").disabled = state.offset === 0;
  $("older").disabled = state.offset + state.jobs.length >= state.total;
}

/** "2 running · 5 finished · mean run 4.2 s": the caller's jobs (an admin's: everyone's). */
async function loadStats() {
  const stats = await apiJson("GET", "api/v1/jobs/stats");
  const counts = Object.entries(stats.counts).filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status}`);
  if (stats.meanDurationMs !== null) counts.push(`mean run ${elapsed(stats.meanDurationMs)}`);
  $("stats").textContent = counts.join(" · ");
}
const refreshStats = throttle(() => void loadStats().catch(() => {}), 2000);

function page(step) {
  state.offset = Math.max(0, state.offset + step * PAGE);
  void loadJobs();
}

// ---- wiring ----------------------------------------------------------------------------------

const on = (id, event, handler) => $(id).addEventListener(event, handler);
on("auth-form", "submit", (event) => {
  event.preventDefault();
  void signIn(event.submitter?.value === "register" ? "register" : "login");
});
on("logout", "click", () => signOut());
on("solver", "change", showSolverDescription);
on("as-sweep", "change", showParametersHint);
on("submit-form", "submit", (event) => {
  event.preventDefault();
  void submitJob();
});
on("status-filter", "change", () => {
  state.status = $("status-filter").value;
  state.offset = 0;
  void loadJobs();
});
on("newer", "click", () => page(-1));
on("older", "click", () => page(1));
on("job-close", "click", closeJob);
on("job-result", "click", () => void downloadResult());
on("job-report", "click", () => void openReport({ jobId: panel.id }));
on("job-sweep-report", "click", () => {
  if (panel.job?.sweepId) void openReport({ sweepId: panel.job.sweepId });
});
on("job-cancel", "click", async () => {
  const job = await cancelJob();
  if (job) onJobUpdate(job);
});

// Without a live connection the list is polled; the open job's log is read while it runs anyway,
// since a log line does not always come with a job change.
setInterval(() => {
  if (!state.user) return;
  if (!state.socket?.connected) void loadJobs().catch(() => {});
  if (panel.job && !ENDED.has(panel.job.status)) refresh();
  for (const cell of document.querySelectorAll('tr[data-status="running"] .duration')) {
    const job = state.jobs.find((j) => j.id === cell.closest("tr").dataset.jobId);
    if (job) cell.textContent = duration(job);
  }
}, 3000);

if (session.token) {
  apiJson("GET", "api/v1/auth/me")
    .then(start)
    .catch((error) => signOut(error.status === 401 ? "" : error.message));
} else {
  signOut();
}
