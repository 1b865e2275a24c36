// Small helpers for building the page. Text goes in with textContent or append(string), never as HTML.

export const ENDED = new Set(["finished", "error", "cancelled"]);

export const $ = (id) => document.getElementById(id);

/** An element with properties (or attributes, for names it has no property for), dataset and children. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export const shortId = (id) => id.slice(0, 8);

export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "—");

/** How long a job ran (or has been running). */
export function duration(job) {
  if (!job.startedAt) return "—";
  return elapsed((job.endedAt ? Date.parse(job.endedAt) : Date.now()) - Date.parse(job.startedAt));
}

/** "4.2 s", "3 min 5 s", "2 h 10 min". */
export function elapsed(ms) {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return minutes < 60 ? `${minutes} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

/** Calls fn now, then at most once per `ms` however often it is asked for; a call asked for meanwhile is made at the end. */
export function throttle(fn, ms) {
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
