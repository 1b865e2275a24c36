// The job panel (the "job page", #job=<id>): status, progress, parameters, results, charts, files,
// log tail, result.zip, reports, cancel.
import { api, apiJson } from "./api.js";
import { $, bytes, duration, el, ENDED, shortId, throttle, when } from "./dom.js";
import { saveDownload } from "./download.js";
import { clearCharts, showCharts } from "./job-charts.js";
import { liveLabel, setProgress } from "./job-views.js";

/** The job shown (as last heard), or null. */
export const panel = { id: null, job: null };

const say = (text) => ($("job-message").textContent = text);

export async function openJob(id) {
  panel.id = id;
  panel.job = null;
  history.replaceState(null, "", `#job=${encodeURIComponent(id)}`);
  for (const row of document.querySelectorAll("tr[data-job-id]")) row.classList.toggle("selected", row.dataset.jobId === id);
  $("job").hidden = false;
  say("");
  $("log-tail").textContent = "";
  $("job-result").disabled = true;
  clearCharts();
  try {
    await load();
  } catch (error) {
    say(error.message);
  }
}

export function closeJob() {
  panel.id = null;
  panel.job = null;
  history.replaceState(null, "", location.pathname);
  $("job").hidden = true;
  clearCharts();
  for (const row of document.querySelectorAll("tr.selected")) row.classList.remove("selected");
}

/** A change heard live: shown at once, files, results and log read again at most once a second. */
export function jobChanged(job) {
  if (job.id !== panel.id) return;
  showJob(job);
  refresh();
}

export const refresh = throttle(() => load().catch((error) => say(error.message)), 1000);

async function load() {
  const id = panel.id;
  if (!id) return;
  const [job, log] = await Promise.all([apiJson("GET", `api/v1/jobs/${id}`), logTail(id)]);
  if (id !== panel.id) return;
  showJob(job);
  showOutputs(job);
  showCharts(job);
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

function showJob(job) {
  panel.job = job;
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
  $("job-sweep-report").hidden = !job.sweepId;
  $("job-sweep-report").title = job.sweepId ? `Sweep ${job.sweepId}` : "";
}

function showOutputs(job) {
  const results = job.results ?? [];
  $("job-results").tBodies[0].replaceChildren(
    ...results.map((r) => el("tr", {}, el("th", { scope: "row" }, r.name), el("td", { className: "mono" }, String(r.value)))),
  );
  $("job-results-empty").hidden = results.length > 0;
  $("job-results-empty").textContent = ENDED.has(job.status) ? "None." : "None yet.";
  const files = job.files ?? [];
  $("job-files").replaceChildren(...files.map((f) => el("li", {}, fileLink(job.id, f.path), el("span", { className: "muted small" }, bytes(f.size)))));
  $("job-files-empty").hidden = files.length > 0;
  // The runner stores result.zip with the outputs when the solver type asks for one.
  const zip = files.some((f) => f.path === "result.zip");
  $("job-result").disabled = !zip;
  $("job-result").title = zip ? "" : ENDED.has(job.status) ? "This job has no result.zip" : "result.zip is stored when the job ends";
}

/** A stored output's name, downloading it through the outputs route when clicked. */
function fileLink(id, path) {
  const url = `api/v1/jobs/${id}/outputs?path=${encodeURIComponent(path)}`;
  const link = el("a", { href: url, className: "mono", title: `Download ${path}` }, path);
  link.addEventListener("click", (event) => {
    event.preventDefault(); // the link itself carries no token
    void download(url, path, path.split("/").pop());
  });
  return link;
}

export const downloadResult = () => download(`api/v1/jobs/${panel.id}/result`, "result.zip", `${panel.id}.zip`);

async function download(url, label, fallbackName) {
  say("Downloading…");
  try {
    say(`${label}: ${bytes(await saveDownload(url, fallbackName))}`);
  } catch (error) {
    say(error.message); // a 404 says why there is none
  }
}

/** `{jobId}` or `{sweepId}`: the report is built, then opened in a new tab at its pre-signed link. */
export async function openReport(subject) {
  // Opened now, while the click still counts as the user's: a window opened after the await is blocked.
  const tab = window.open("", "_blank");
  say("Building the report…");
  try {
    const { url } = await apiJson("POST", "api/v1/reports", subject);
    const target = new URL(url, location.href).href;
    if (tab) {
      tab.opener = null;
      tab.location.href = target;
    } else {
      window.open(target, "_blank", "noopener");
    }
    say("");
  } catch (error) {
    tab?.close();
    say(error.message);
  }
}

/** Returns the job as the cancel left it, or undefined when it failed (the panel says why). */
export async function cancelJob() {
  try {
    return await apiJson("DELETE", `api/v1/jobs/${panel.id}`);
  } catch (error) {
    say(error.message);
    return undefined;
  }
}
