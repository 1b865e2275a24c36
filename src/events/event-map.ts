import type { Validation, Validator } from "./field-checker.js";
import {
  validateGeometryParsed,
  validateGeometryRemoved,
  validateGeometryUploaded,
  type GeometryParsed,
  type GeometryRemoved,
  type GeometryUploaded,
} from "./geometry-events.js";
import { validateMeshDeleted, validateMeshGenerated, type MeshDeleted, type MeshGenerated } from "./mesh-events.js";
import {
  validateRunFailed,
  validateRunFinished,
  validateRunProgress,
  validateRunStarted,
  type RunFailed,
  type RunFinished,
  type RunProgress,
  type RunStarted,
} from "./run-lifecycle-events.js";
import type { EventSubject } from "./subjects.js";

/** Subject → payload type: what `publish(subject, data)` and a `Listener<Subject>` check against. */
export interface EventMap {
  "geometry:uploaded": GeometryUploaded;
  "geometry:parsed": GeometryParsed;
  "geometry:removed": GeometryRemoved;
  "mesh:generated": MeshGenerated;
  "mesh:deleted": MeshDeleted;
  "run:started": RunStarted;
  "run:progress": RunProgress;
  "run:finished": RunFinished;
  "run:failed": RunFailed;
}

export type EventData<S extends EventSubject> = EventMap[S];

export const EVENT_VALIDATORS: { [S in EventSubject]: Validator<EventMap[S]> } = {
  "geometry:uploaded": validateGeometryUploaded,
  "geometry:parsed": validateGeometryParsed,
  "geometry:removed": validateGeometryRemoved,
  "mesh:generated": validateMeshGenerated,
  "mesh:deleted": validateMeshDeleted,
  "run:started": validateRunStarted,
  "run:progress": validateRunProgress,
  "run:finished": validateRunFinished,
  "run:failed": validateRunFailed,
};

export function validateEvent<S extends EventSubject>(subject: S, value: unknown): Validation<EventMap[S]> {
  return EVENT_VALIDATORS[subject](value) as Validation<EventMap[S]>;
}
