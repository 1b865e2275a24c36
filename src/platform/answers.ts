import type {
  Capabilities,
  CompleteUploadAnswer,
  Material,
  Mesh,
  OpenUploadAnswer,
  RunData,
  RunNode,
  TreeNode,
  UploadOffsetAnswer,
} from "./types.js";
import { asArray, asCount, asObject, asOptionalString, asString } from "./answer-shape.js";

/** The checks on each answer: the fields the runner reads. Fields it does not know are kept. */

export function runDataOf(json: unknown): RunData {
  const root = asObject(json, "(the answer)");
  const simulation = asObject(root.simulation, "simulation");
  const meshes = asArray(simulation.meshes, "simulation.meshes").map((value, i): Mesh => {
    const mesh = asObject(value, `simulation.meshes[${i}]`);
    return {
      ...mesh,
      id: asString(mesh.id, `simulation.meshes[${i}].id`),
      rawMeshFile: asString(mesh.rawMeshFile, `simulation.meshes[${i}].rawMeshFile`),
    };
  });
  const materials = asArray(root.materials, "materials").map((value, i): Material => {
    const material = asObject(value, `materials[${i}]`);
    return { ...material, id: asString(material.id, `materials[${i}].id`) };
  });
  const feature = asObject(root.physicsFeature, "physicsFeature");
  return {
    ...root,
    simulation: { ...simulation, tree: simulation.tree, meshes },
    materials,
    inputs: root.inputs,
    physicsFeature: {
      ...feature,
      config: feature.config,
      inputs: asOptionalString(feature.inputs, "physicsFeature.inputs"),
      scripts: asOptionalString(feature.scripts, "physicsFeature.scripts"),
    },
  };
}

export function runNodeOf(json: unknown): RunNode {
  const node = asObject(json, "(the run node)");
  return {
    ...node,
    id: asString(node.id, "id"),
    name: asString(node.name, "name"),
    children: asArray(node.children, "children").map((child, i) => asObject(child, `children[${i}]`) as TreeNode),
  };
}

/** Upload versions this runner does not know are left out. */
export function capabilitiesOf(json: unknown): Capabilities {
  const root = asObject(json, "(the answer)");
  const uploads = asArray(root.uploads, "uploads").filter((u): u is "v1" | "v2" => u === "v1" || u === "v2");
  const events = root.events === undefined ? [] : asArray(root.events, "events").map((e, i) => asString(e, `events[${i}]`));
  return { uploads, events };
}

export function openUploadOf(json: unknown): OpenUploadAnswer {
  const root = asObject(json, "(the answer)");
  return { uploadId: asString(root.uploadId, "uploadId"), offset: asCount(root.offset, "offset") };
}

export function offsetOf(json: unknown): UploadOffsetAnswer {
  const root = asObject(json, "(the answer)");
  return { offset: asCount(root.offset, "offset") };
}

export function completeUploadOf(json: unknown): CompleteUploadAnswer {
  const root = asObject(json, "(the answer)");
  return { sha256: asString(root.sha256, "sha256"), size: asCount(root.size, "size") };
}
