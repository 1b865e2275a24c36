import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { compileFormKernels, formKernelsModuleText } from "../../scripts/wasm/compile-form-kernels.js";
import { FORM_KERNELS_WASM } from "../../src/form-codec/form-kernels-wasm.js";

it("the WebAssembly the runner loads is form-kernels.wat compiled (run `npm run build:wasm` after editing it)", async () => {
  const bytes = await compileFormKernels();
  expect(Buffer.from(FORM_KERNELS_WASM, "base64").equals(Buffer.from(bytes))).toBe(true);
  // The generated file is exactly what the script writes, so nobody edits it by hand.
  const written = await readFile(new URL("../../src/form-codec/form-kernels-wasm.ts", import.meta.url), "utf8");
  expect(written).toBe(formKernelsModuleText(bytes));
});
