// A job's pieces as the table and the panel show them.
import { duration, el, shortId, when } from "./dom.js";

/** A progress bar: the figure is in data-progress and aria-valuenow, the bar's width follows. */
export function setProgress(node, job) {
  const value = percentOf(job);
  node.dataset.progress = String(value);
  node.dataset.status = job.status;
  node.setAttribute("aria-valuenow", String(value));
  node.setAttribute("aria-valuetext", `${value} %${liveLabel(job) ? `, ${liveLabel(job)}` : ""}`);
  node.firstElementChild.style.width = `${value}%`;
  node.title = `${value} %`;
}

export function progressBar(job) {
  const node = el(
    "div",
    { className: "progress", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-label": `Progress of job ${shortId(job.id)}` },
    el("div", { className: "bar" }),
  );
  setProgress(node, job);
  return node;
}

export const statusBadge = (job) => el("span", { className: "status", dataset: { status: job.status }, title: job.error ?? liveLabel(job) }, job.status);

/** "time step 420/1000" while it runs; once it ended, how (an error's code), unless that only repeats the status. */
export const liveLabel = (job) => (job.statusLabel && job.statusLabel !== job.status ? job.statusLabel : "");

const percentOf = (job) => Math.max(0, Math.min(100, Math.round(Number(job.progress) || 0)));

/** A row of the jobs table: `tr[data-job-id][data-status]`; a click on it (or its button, for a keyboard) opens the job. */
export function jobRow(job, { selected, onOpen }) {
  const open = el("button", { type: "button", className: "link mono", title: job.id, "aria-label": `Open job ${job.id}` }, shortId(job.id));
  const row = el(
    "tr",
    { dataset: { jobId: job.id, status: job.status } },
    el("td", {}, open),
    el("td", {}, job.solver),
    el("td", {}, statusBadge(job)),
    el("td", {}, el("div", { className: "progress-cell" }, progressBar(job), el("span", { className: "small muted percent" }, `${percentOf(job)} %`))),
    el("td", { className: "small" }, when(job.createdAt)),
    el("td", { className: "small duration" }, duration(job)),
  );
  row.addEventListener("click", () => {
    if (!getSelection()?.toString()) onOpen(job.id);
  });
  row.classList.toggle("selected", selected);
  return row;
}
