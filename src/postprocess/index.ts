/** Post-processing outputs: result.zip from `solverConfig.downloadable`, and the visualization archives. */
export { buildResultZip, RESULT_ZIP, resultZipEntry } from "./result-zip.js";
export type { BuildResultZipOptions, ResultZip, ResultZipBuild } from "./result-zip.js";
export { selectDownloadableFiles } from "./downloadable.js";
export type { DownloadableSelection, SelectOptions } from "./downloadable.js";
export { readDownloadableSpec } from "./downloadable-spec.js";
export type { DownloadableSpec } from "./downloadable-spec.js";
export { compileGlob } from "./glob-pattern.js";
export type { GlobPattern } from "./glob-pattern.js";
export { readSolverConfigDownloadable } from "./solver-config.js";
export { buildVisualizationArchives, isVisualizationSource } from "./visualization.js";
export type { BuildVisualizationOptions, VisualizationArchive, VisualizationBuild } from "./visualization.js";
export { graphicsEntry, type VisualizationKind } from "./run-node-entries.js";
export { STAGING_FOLDER, stagingDirOf } from "./staging.js";
export { runEntryId } from "./run-entry-id.js";
