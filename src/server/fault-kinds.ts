/** An injected fault: an answer the runner must retry, or a connection cut without one. */
export type Fault = "503" | "429" | "drop";

export const FAULTS: readonly Fault[] = ["503", "429", "drop"];
