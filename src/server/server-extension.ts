import type { Server as SocketServer } from "socket.io";
import type { RunNode } from "../platform/types.js";
import type { Route } from "./http/router.js";

/**
 * What a program built on the reference server adds to it (the local platform's job API does):
 * routes beside protocol.md's, a word after each run node the server stores, and the socket.io
 * server for namespaces of its own.
 */
export interface ServerExtension {
  routes?: Route[];
  /** After a run node is stored (`PUT simulation/run/update/{simulation}/{runId}`); must not throw. */
  onRunUpdate?(runId: string, node: RunNode, simulation: string): void;
  /** Once socket.io is attached (not called when socketIo is off). */
  onSocketServer?(io: SocketServer): void;
}
