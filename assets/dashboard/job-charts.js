// The job panel's charts: a line chart of each stored plots/*.csv, read through the outputs route.
// Drawn when the job is opened and when it ends; while it runs, at most every few seconds.
import { api } from "./api.js";
import { csvSeries } from "./csv-series.js";
import { $, bytes, el, ENDED } from "./dom.js";
import { lineChart } from "./line-chart.js";

const PLOT = /^plots\/[^/]+\.csv$/i;
/** While the job runs, charts are read again at most this often. */
const RUNNING_EVERY_MS = 5000;
/** A larger CSV is not fetched into the page: the report draws it from disk. */
const MAX_CSV_BYTES = 16 * 1024 ** 2;

/** What is drawn: for which job, from which files (path and size), when. */
const drawn = { jobId: null, paths: "", key: "", at: 0, generation: 0, timer: null };

export function clearCharts() {
  drawn.jobId = null;
  drawn.paths = drawn.key = "";
  drawn.generation++;
  clearTimeout(drawn.timer);
  $("job-charts").replaceChildren();
  $("job-charts-empty").hidden = false;
  $("job-charts-empty").textContent = "None yet.";
}

/** The job as just read, with its files: its charts drawn again when something they show changed. */
export function showCharts(job) {
  const plots = (job.files ?? []).filter((f) => PLOT.test(f.path));
  const ended = ENDED.has(job.status);
  const paths = plots.map((f) => f.path).join("|");
  const key = `${ended}|${plots.map((f) => `${f.path}:${f.size}`).join("|")}`;
  if (job.id === drawn.jobId && key === drawn.key) return;
  clearTimeout(drawn.timer);
  // Only plots that grew wait their turn; a new one, or the job's end, is drawn at once.
  const grew = job.id === drawn.jobId && !ended && paths === drawn.paths;
  const wait = grew ? drawn.at + RUNNING_EVERY_MS - Date.now() : 0;
  // A later read of the job replaces a waiting one: only the newest files are drawn.
  if (wait > 0) drawn.timer = setTimeout(() => showCharts(job), wait);
  else void draw(job, plots, paths, key, ended);
}

async function draw(job, plots, paths, key, ended) {
  const generation = ++drawn.generation;
  Object.assign(drawn, { jobId: job.id, paths, key, at: Date.now() });
  const figures = await Promise.all(plots.map((file) => figure(job.id, file, ended)));
  if (generation !== drawn.generation) return; // another job, or newer files, meanwhile
  $("job-charts").replaceChildren(...figures);
  $("job-charts-empty").hidden = figures.length > 0;
  $("job-charts-empty").textContent = ended ? "None: the job stored no plots/*.csv." : "None yet.";
}

async function figure(jobId, file, ended) {
  const caption = el("figcaption", { className: "mono small" }, file.path);
  const say = (text) => el("figure", { className: "chart-figure" }, caption, el("p", { className: "muted small" }, text));
  if (file.size > MAX_CSV_BYTES) return say(`${bytes(file.size)}: too large to draw here; the job's report draws it.`);
  try {
    const text = await (await api("GET", `api/v1/jobs/${jobId}/outputs?path=${encodeURIComponent(file.path)}`)).text();
    const chart = csvSeries(text, { complete: ended });
    if (!chart) return say("No numeric column to draw.");
    const names = chart.series.map((s) => s.name).join(", ");
    const title = `${file.path}: ${names} against ${chart.xLabel}`;
    const notes = chart.notes.length ? el("p", { className: "muted small" }, `${chart.notes.join("; ")}.`) : null;
    return el("figure", { className: "chart-figure" }, caption, lineChart(chart, title), notes);
  } catch (error) {
    return say(error.message);
  }
}
