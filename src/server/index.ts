/**
 * The reference PhysicsWorks platform server behind `physicsworks-solve serve`, as a library:
 * the routes of protocol.md parts 1 and 3, socket.io (part 4), and the auth guards users can put
 * on their own node:http servers.
 */
export { startServer, type RunningServer } from "./start-server.js";
export type { ServerAuth, ServerOptions, ServerSettings } from "./server-options.js";
export type { ServerExtension } from "./server-extension.js";
export type { Route, RouteInput, Method } from "./http/router.js";
export { Params } from "./http/router.js";
export type { Reply } from "./http/reply.js";
export { json } from "./http/reply.js";
export { readJson } from "./http/read-json.js";
export { ANONYMOUS } from "./auth/auth-guard.js";
export { PUBLIC } from "./auth/scopes.js";
export { authGuard, credentialOf, credentialVerifier, type AuthClaims, type AuthOptions } from "./auth/auth-guard.js";
export { permissionGuard, hasScope } from "./auth/permission-guard.js";
export { mintToken, type MintTokenOptions } from "./auth/mint-token.js";
export { SCOPES, ALL_SCOPES, type Scope } from "./auth/scopes.js";
export { HttpError, badRequest, notFound } from "./http/http-error.js";
export type { FileRecord, StoredFile } from "./store/file-records.js";
export type { RunRecord, UpdateLine } from "./store/run-store.js";
export type { RequestLogLine } from "./request-log.js";
export type { ServerStore, StoredFileInfo } from "./store/server-store.js";
