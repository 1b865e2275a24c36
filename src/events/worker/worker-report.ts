/** What a live worker answers on `<S>.status`: `queue` counts running runs from these, not from the server's ack-pending count, which also holds runs returned to the queue or left by a dead worker until their ack wait ends. */
export interface WorkerReport {
  name: string;
  concurrency: number;
  /** Ids of the runs it is running. */
  running: string[];
  /** It got SIGTERM and takes no new run. */
  stopping: boolean;
}
