import { createRequire } from "node:module";
import type Jwt from "jsonwebtoken";

const require = createRequire(import.meta.url);

/**
 * jsonwebtoken, loaded on first use (then from require's cache): a server with a static token
 * never needs its megabyte of heap. That megabyte kept the reference server's old generation past
 * V8's 8 MB threshold for incremental marking, where every ~15 MB of socket buffers started a full
 * collection: 16 for a 268 MB v1 upload, 3 to 6 without it (and busboy, read-form.ts).
 */
export const jwtLibrary = (): typeof Jwt => require("jsonwebtoken") as typeof Jwt;
