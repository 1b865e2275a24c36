/**
 * The wire types of protocol.md parts 1 and 3: one type per payload, shared by the runner's client
 * and the reference server. Field names are the platform's; do not rename them.
 */

export type RunStatus = "pending" | "running" | "finished" | "error";

/** A node of the platform's run tree. The platform may add fields the runner does not know: they are kept. */
export interface TreeNode {
  id?: string;
  name?: string;
  slug?: string;
  children?: TreeNode[];
  [field: string]: unknown;
}

/** The run node: created by `PUT simulation/run/update/{simulation}`, sent whole with every update. */
export interface RunNode extends TreeNode {
  id: string;
  name: string;
  status?: RunStatus;
  progress?: number;
  statusLabel?: string;
  actions?: unknown;
  children: TreeNode[];
}

/** The child slugs of a run node that the runner fills. */
export const RUN_NODE_SLUGS = ["logs", "plots", "media", "graphics", "downloadables"] as const;
export type RunNodeSlug = (typeof RUN_NODE_SLUGS)[number];

export interface UpdateRunBody {
  node: RunNode;
  extras?: Record<string, unknown>;
}

export interface Mesh {
  id: string;
  rawMeshFile: string;
}

export interface MaterialProperty {
  type?: string;
  values?: { x?: unknown; y?: unknown }[];
  [field: string]: unknown;
}

export interface Material {
  id: string;
  composition?: unknown;
  variant?: unknown;
  [field: string]: unknown;
}

/** `GET simulation/run_data/read/{project}/{simulation}`. */
export interface RunData {
  simulation: { tree: unknown; meshes: Mesh[] };
  materials: Material[];
  inputs: unknown;
  physicsFeature: { config: unknown; inputs?: string | null; scripts?: string | null };
}

export interface UploadMetadata {
  project: string;
  owner: string;
  /** The file's basename. */
  originalname: string;
  /** The job. */
  resource: string;
  resourceKind: "Run";
  simulation: string;
  /** This runner's addition: the path relative to outputs/. */
  path?: string;
  /** This runner's addition: the run node id. */
  runId?: string;
}

/** `POST storage/append`, form field `json`. */
export interface AppendBody {
  filename: string;
  /** base64 of the bytes added. */
  chunk: string;
  isNew: boolean;
  metadata: UploadMetadata;
  isAscii: boolean;
}

/** `POST storage/chunks`, form field `json`. */
export interface ChunkBody {
  filename: string;
  fileSize: number;
  chunkIndex: number;
  /** base64 of this chunk's bytes. */
  chunk: string;
  metadata: UploadMetadata;
}

export type ResultType = "scalar" | "boolean" | "ascii";

export interface ResultEntry {
  name: string;
  type: ResultType;
  value: number | boolean | string;
}

/** `PUT simulation/run/patch/{runId}`. */
export interface PatchResultsBody {
  results: ResultEntry[];
}

/** `GET runner/capabilities` (404 = a v1-only server). */
export interface Capabilities {
  uploads: ("v1" | "v2")[];
  events: string[];
}

/** v2 `POST storage/uploads`. */
export interface OpenUploadBody {
  filename: string;
  size: number;
  sha256: string;
  metadata: UploadMetadata;
}
export interface OpenUploadAnswer {
  uploadId: string;
  offset: number;
}
/** v2 `PATCH storage/uploads/{id}` answer, and the body of its 409. */
export interface UploadOffsetAnswer {
  offset: number;
}
/** v2 `POST storage/uploads/{id}/complete`. */
export interface CompleteUploadAnswer {
  sha256: string;
  size: number;
}

/** Live protocol (socket.io), part 4. */
export interface RunStatusEvent {
  runId: string;
  status: RunStatus;
  progress: number;
  statusLabel: string;
}
export interface RunLogEvent {
  runId: string;
  lines: string[];
}
export interface RunAbortEvent {
  runId: string;
}

/** Protocol constants. */
export const CHUNK_SIZE = 5 * 1024 * 1024;
export const MAX_APPEND_BYTES = 5 * 1024 * 1024;
