// The local platform's dashboard: plain JS, no build step. Everything shown that came from the
// server or a user is set with textContent, never parsed as HTML.
const TOKEN_KEY = "physicsworks.token";
const PAGE = 20;
const ENDED = new Set(["finished", "error", "cancelled"]);

const $ = (id) => document.getElementById(id);
const state = { token: localStorage.getItem(TOKEN_KEY), user: null, jobs: [], total: 0, offset: 0, selected: null, socket: null };

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** One call to the job API with the user's token; a non-2xx answer throws its `error` message. */
async function api(method, path, body) {
  const headers = {};
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.ok) return res;
  let message = `${res.status} ${res.statusText}`;
  try {
    const answer = await res.json();
    if (typeof answer.error === "string") message = answer.error;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401 && state.token && !path.startsWith("api/v1/auth/")) signOut("Your session ended: log in again.");
  throw new ApiError(res.status, message);
}
const apiJson = async (method, path, body) => (await api(method, path, body)).json();

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const shortId = (id) => id.slice(0, 8);
const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");
function duration(job) {
  if (!job.startedAt) return "—";
  const ms = (job.endedAt ? Date.parse(job.endedAt) : Date.now()) - Date.parse(job.startedAt);
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return minutes < 60 ? `${minutes} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A progress bar: the figure is in data-progress and aria-valuenow, the bar's width follows. */
function setProgress(node, job) {
  const value = Math.max(0, Math.min(100, Math.round(Number(job.progress) || 0)));
  node.dataset.progress = String(value);
  node.dataset.status = job.status;
  node.setAttribute("aria-valuenow", String(value));
  node.setAttribute("aria-valuetext", `${value} %${job.statusLabel ? `, ${job.statusLabel}` : ""}`);
  node.firstElementChild.style.width = `${value}%`;
  node.title = `${value} %`;
}
const progressBar = (job) => {
  const node = el("div", { className: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-label": `Progress of job ${shortId(job.id)}` }, el("div", { className: "bar" }));
  setProgress(node, job);
  return node;
};
const statusBadge = (job) => el("span", { className: "status", dataset: { status: job.status }, title: job.error ?? job.statusLabel ?? "" }, job.status);
/** A label such as "time step 420/1000" says what a job is doing; once it ended, its last one is stale. */
const liveLabel = (job) => (ENDED.has(job.status) ? "" : (job.statusLabel ?? ""));

// ---- session ---------------------------------------------------------------------------------

async function signIn(mode) {
  $("auth-error").textContent = "";
  const name = $("auth-name").value.trim();
  const password = $("auth-password").value;
  try {
    const answer = await apiJson("POST", `api/v1/auth/${mode}`, { name, password });
    state.token = answer.token;
    localStorage.setItem(TOKEN_KEY, answer.token);
    $("auth-password").value = "";
    await start(answer.user);
  } catch (error) {
    $("auth-error").textContent = error.message;
  }
}

function signOut(message = "") {
  localStorage.removeItem(TOKEN_KEY);
  state.socket?.disconnect();
  Object.assign(state, { token: null, user: null, jobs: [], total: 0, offset: 0, selected: null, socket: null });
  $("app").hidden = true;
  $("session").hidden = true;
  $("auth").hidden = false;
  $("auth-error").textContent = message;
  $("auth-name").focus();
}

async function start(user) {
  state.user = user;
  $("user-name").textContent = `${user.name}${user.scopes.includes("admin") ? " (admin)" : ""}`;
  $("auth").hidden = true;
  $("session").hidden = false;
  $("app").hidden = false;
  connectLive();
  await Promise.all([loadSolvers(), loadJobs()]);
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("job");
  if (fromHash) await selectJob(fromHash);
}

// ---- live ------------------------------------------------------------------------------------

function connectLive() {
  if (typeof window.io !== "function") return; // no socket.io client: the list is polled instead
  const socket = window.io("/platform", { auth: { token: state.token }, transports: ["websocket", "polling"] });
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
    updateRow(job);
  } else if (state.offset === 0 && (!state.jobs[0] || job.createdAt >= state.jobs[0].createdAt)) {
    state.jobs.unshift(job);
    if (state.jobs.length > PAGE) state.jobs.pop();
    state.total += 1;
    renderJobs();
  }
  if (job.id === state.selected) {
    renderJob(job);
    refreshSelected();
  }
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

async function submitJob() {
  const message = $("submit-message");
  message.className = "small";
  let parameters;
  try {
    parameters = JSON.parse($("parameters").value.trim() || "{}");
    if (parameters === null || typeof parameters !== "object" || Array.isArray(parameters)) throw new Error("not an object");
  } catch {
    message.className = "small error";
    message.textContent = 'Parameters must be a JSON object, like {"alpha": 0.0001}.';
    $("parameters").focus();
    return;
  }
  $("submit").disabled = true;
  try {
    const answer = await apiJson("POST", "api/v1/jobs", { solver: $("solver").value, parameters });
    for (const job of answer.jobs) onJobUpdate(job);
    message.textContent = `Submitted job ${shortId(answer.jobs[0].id)}.`;
    await selectJob(answer.jobs[0].id);
  } catch (error) {
    message.className = "small error";
    message.textContent = error.message;
  } finally {
    $("submit").disabled = false;
  }
}

// ---- jobs table ------------------------------------------------------------------------------

async function loadJobs() {
  const answer = await apiJson("GET", `api/v1/jobs?limit=${PAGE}&offset=${state.offset}`);
  state.jobs = answer.jobs;
  state.total = answer.total;
  renderJobs();
}

function renderJobs() {
  $("jobs-body").replaceChildren(...state.jobs.map(jobRow));
  $("jobs-empty").hidden = state.jobs.length > 0;
  $("jobs-total").textContent = state.total ? `${state.offset + 1}–${state.offset + state.jobs.length} of ${state.total}` : "";
  $("newer").disabled = state.offset === 0;
  $("older").disabled = state.offset + state.jobs.length >= state.total;
}

function jobRow(job) {
  const open = el("button", { type: "button", className: "link mono", title: job.id, "aria-label": `Open job ${job.id}` }, shortId(job.id));
  open.addEventListener("click", () => void selectJob(job.id));
  const row = el(
    "tr",
    { dataset: { jobId: job.id } },
    el("td", {}, open),
    el("td", {}, job.solver),
    el("td", { className: "status-cell" }, statusBadge(job)),
    el("td", {}, el("div", { className: "progress-cell" }, progressBar(job), el("span", { className: "small muted percent" }, `${Math.round(Number(job.progress) || 0)} %`))),
    el("td", { className: "small" }, when(job.createdAt)),
    el("td", { className: "small duration" }, duration(job)),
  );
  row.dataset.status = job.status;
  // The whole row opens the job for a pointer; the button is the way in for a keyboard.
  row.addEventListener("click", (event) => {
    if (event.target !== open && !getSelection()?.toString()) void selectJob(job.id);
  });
  row.classList.toggle("selected", job.id === state.selected);
  return row;
}

function updateRow(job) {
  const row = document.querySelector(`tr[data-job-id="${CSS.escape(job.id)}"]`);
  if (row) row.replaceWith(jobRow(job));
}

// ---- one job ---------------------------------------------------------------------------------

async function selectJob(id) {
  state.selected = id;
  history.replaceState(null, "", `#job=${encodeURIComponent(id)}`);
  for (const row of document.querySelectorAll("tr[data-job-id]")) row.classList.toggle("selected", row.dataset.jobId === id);
  $("job").hidden = false;
  $("job-message").textContent = "";
  $("log-tail").textContent = "";
  $("job-result").disabled = true;
  try {
    await loadSelected();
  } catch (error) {
    $("job-message").textContent = error.message;
  }
}

function closeJob() {
  state.selected = null;
  history.replaceState(null, "", location.pathname);
  $("job").hidden = true;
  for (const row of document.querySelectorAll("tr.selected")) row.classList.remove("selected");
}

async function loadSelected() {
  const id = state.selected;
  if (!id) return;
  const [job, log] = await Promise.all([apiJson("GET", `api/v1/jobs/${id}`), logTail(id)]);
  if (id !== state.selected) return;
  renderJob(job);
  renderDetails(job);
  const pre = $("log-tail");
  pre.textContent = log;
  pre.dataset.lines = String(log ? log.split("\n").filter(Boolean).length : 0);
  pre.scrollTop = pre.scrollHeight;
}

async function logTail(id) {
  try {
    return await (await api("GET", `api/v1/jobs/${id}/logs?tail=20`)).text();
  } catch (error) {
    if (error.status === 404) return ""; // no log stored yet
    throw error;
  }
}

/** Refreshes the selected job's files, results and log at most once a second. */
const refreshSelected = throttle(() => loadSelected().catch((error) => ($("job-message").textContent = error.message)), 1000);

function throttle(fn, ms) {
  let timer = null;
  let again = false;
  const tick = () => {
    if (!again) return void (timer = null);
    again = false;
    fn();
    timer = setTimeout(tick, ms);
  };
  return () => {
    if (timer) return void (again = true);
    fn();
    timer = setTimeout(tick, ms);
  };
}

function renderJob(job) {
  $("job-id").textContent = shortId(job.id);
  $("job-id").title = job.id;
  const status = $("job-status");
  status.textContent = job.status;
  status.dataset.status = job.status;
  $("job-label").textContent = liveLabel(job);
  setProgress($("job-progress"), job);
  $("job-solver").textContent = job.solver;
  $("job-parameters").textContent = JSON.stringify(job.parameters);
  $("job-started").textContent = when(job.startedAt);
  $("job-ended").textContent = job.endedAt ? `${when(job.endedAt)} (${duration(job)})` : "—";
  $("job-error-term").hidden = $("job-error").hidden = !job.error;
  $("job-error").textContent = job.error ?? "";
  $("job-cancel").hidden = ENDED.has(job.status);
}

function renderDetails(job) {
  const results = job.results ?? [];
  $("job-results").tBodies[0].replaceChildren(
    ...results.map((r) => el("tr", {}, el("th", { scope: "row" }, r.name), el("td", { className: "mono" }, String(r.value)))),
  );
  $("job-results-empty").hidden = results.length > 0;
  $("job-results-empty").textContent = ENDED.has(job.status) ? "None." : "None yet.";
  const files = job.files ?? [];
  $("job-files").replaceChildren(...files.map((f) => el("li", {}, el("span", { className: "mono" }, f.path), el("span", { className: "muted small" }, bytes(f.size)))));
  $("job-files-empty").hidden = files.length > 0;
  // The runner stores result.zip with the outputs when the solver type asks for one (solverConfig "downloadable").
  const zip = files.some((f) => f.path === "result.zip");
  $("job-result").disabled = !zip;
  $("job-result").title = zip ? "" : ENDED.has(job.status) ? "This job has no result.zip" : "result.zip is stored when the job ends";
}

function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/** result.zip needs the token in a header, so it is fetched and saved from a blob, not linked. */
async function downloadResult() {
  const id = state.selected;
  $("job-message").textContent = "Downloading…";
  try {
    const res = await api("GET", `api/v1/jobs/${id}/result`);
    const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? `${id}-result.zip`;
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    $("job-message").textContent = `result.zip: ${bytes(blob.size)}`;
  } catch (error) {
    $("job-message").textContent = error.message; // a 404 says why there is none
  }
}

async function openReport() {
  // Opened now, while the click still counts as the user's: a window opened after the await is blocked.
  const tab = window.open("", "_blank");
  $("job-message").textContent = "Building the report…";
  try {
    const { url } = await apiJson("POST", "api/v1/reports", { jobId: state.selected });
    const target = new URL(url, location.href).href;
    if (tab) {
      tab.opener = null;
      tab.location.href = target;
    } else {
      window.open(target, "_blank", "noopener");
    }
    $("job-message").textContent = "";
  } catch (error) {
    tab?.close();
    $("job-message").textContent = error.message;
  }
}

async function cancelJob() {
  try {
    onJobUpdate(await apiJson("DELETE", `api/v1/jobs/${state.selected}`));
  } catch (error) {
    $("job-message").textContent = error.message;
  }
}

// ---- wiring ----------------------------------------------------------------------------------

$("auth-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void signIn(event.submitter?.value === "register" ? "register" : "login");
});
$("logout").addEventListener("click", () => signOut());
$("solver").addEventListener("change", showSolverDescription);
$("submit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void submitJob();
});
$("newer").addEventListener("click", () => {
  state.offset = Math.max(0, state.offset - PAGE);
  void loadJobs();
});
$("older").addEventListener("click", () => {
  state.offset += PAGE;
  void loadJobs();
});
$("job-close").addEventListener("click", closeJob);
$("job-result").addEventListener("click", () => void downloadResult());
$("job-report").addEventListener("click", () => void openReport());
$("job-cancel").addEventListener("click", () => void cancelJob());

// Without a live connection the list is polled; the selected running job's log is read anyway, since
// a log line does not always come with a job change.
setInterval(() => {
  if (!state.user) return;
  if (!state.socket?.connected) void loadJobs().catch(() => {});
  const selected = state.jobs.find((j) => j.id === state.selected);
  if (selected && !ENDED.has(selected.status)) refreshSelected();
  for (const row of document.querySelectorAll('tr[data-status="running"] .duration')) {
    const job = state.jobs.find((j) => j.id === row.closest("tr").dataset.jobId);
    if (job) row.textContent = duration(job);
  }
}, 3000);

if (state.token) {
  apiJson("GET", "api/v1/auth/me")
    .then(start)
    .catch((error) => signOut(error.status === 401 ? "" : error.message));
} else {
  signOut();
}
