/** outputs/report.html: one self-contained page about a run. */
export { writeRunReport } from "./write-run-report.js";
export { isRunnerReport } from "./report-owner.js";
export type { RunReport, WriteRunReportOptions } from "./write-run-report.js";
export { renderLineChart } from "./svg-chart.js";
export { readCsvSeries } from "./csv-series.js";
export type { ChartData, ChartSeries, CsvSeriesOptions } from "./csv-series.js";
export { readLastLines } from "./log-tail.js";
