import { FieldChecker, type Validation } from "./field-checker.js";

/** `mesh:generated`: a mesh of a simulation is ready; runs download it as raw/{meshId}.{ext}. */
export interface MeshGenerated {
  meshId: string;
  project: string;
  simulation: string;
  geometryId?: string;
  /** The storage id of the mesh file, as `meshes[].rawMeshFile` in the run data (protocol part 1). */
  rawMeshFile: string;
  nodes?: number;
  elements?: number;
  generatedAt: string;
}

/** `mesh:deleted`: the mesh is gone; runs must not ask for it any more. */
export interface MeshDeleted {
  meshId: string;
  project: string;
  simulation: string;
  deletedAt: string;
}

export function validateMeshGenerated(value: unknown): Validation<MeshGenerated> {
  const c = new FieldChecker(value);
  return c.result({
    meshId: c.string("meshId"),
    project: c.string("project"),
    simulation: c.string("simulation"),
    geometryId: c.optionalString("geometryId"),
    rawMeshFile: c.string("rawMeshFile"),
    nodes: c.optionalNumber("nodes", { min: 0, integer: true }),
    elements: c.optionalNumber("elements", { min: 0, integer: true }),
    generatedAt: c.time("generatedAt"),
  });
}

export function validateMeshDeleted(value: unknown): Validation<MeshDeleted> {
  const c = new FieldChecker(value);
  return c.result({
    meshId: c.string("meshId"),
    project: c.string("project"),
    simulation: c.string("simulation"),
    deletedAt: c.time("deletedAt"),
  });
}
