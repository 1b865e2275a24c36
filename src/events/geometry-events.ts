import { FieldChecker, type Validation } from "./field-checker.js";

/** `geometry:uploaded`: a CAD file reached the platform's storage. */
export interface GeometryUploaded {
  geometryId: string;
  project: string;
  owner: string;
  /** The file's name as the user uploaded it, e.g. "bracket.step". */
  name: string;
  /** The storage id of the file (GET storage/runner/{fileId}). */
  fileId: string;
  size?: number;
  uploadedAt: string;
}

/** `geometry:parsed`: the platform read the geometry; its parts are known. */
export interface GeometryParsed {
  geometryId: string;
  project: string;
  /** The storage id of the parsed model the viewers load. */
  fileId: string;
  /** Names of the solids (volumes) found. */
  parts: string[];
  /** [xmin, ymin, zmin, xmax, ymax, zmax]. */
  bBox?: number[];
  parsedAt: string;
}

/** `geometry:removed`: the geometry and its files are gone. */
export interface GeometryRemoved {
  geometryId: string;
  project: string;
  removedAt: string;
}

export function validateGeometryUploaded(value: unknown): Validation<GeometryUploaded> {
  const c = new FieldChecker(value);
  return c.result({
    geometryId: c.string("geometryId"),
    project: c.string("project"),
    owner: c.string("owner"),
    name: c.string("name"),
    fileId: c.string("fileId"),
    size: c.optionalNumber("size", { min: 0, integer: true }),
    uploadedAt: c.time("uploadedAt"),
  });
}

export function validateGeometryParsed(value: unknown): Validation<GeometryParsed> {
  const c = new FieldChecker(value);
  return c.result({
    geometryId: c.string("geometryId"),
    project: c.string("project"),
    fileId: c.string("fileId"),
    parts: c.stringList("parts"),
    bBox: c.numberTuple("bBox", 6),
    parsedAt: c.time("parsedAt"),
  });
}

export function validateGeometryRemoved(value: unknown): Validation<GeometryRemoved> {
  const c = new FieldChecker(value);
  return c.result({
    geometryId: c.string("geometryId"),
    project: c.string("project"),
    removedAt: c.time("removedAt"),
  });
}
