import type Jwt from "jsonwebtoken";
import { jwtLibrary } from "./jwt-library.js";

export interface MintTokenOptions {
  sub: string;
  scope: readonly string[];
  /** Seconds, or a duration text such as "1h" or "30m". */
  expiresIn: number | string;
}

/** An HS256 JWT with `scope` as a space-separated claim, as authGuard expects in JWT mode. */
export function mintToken(secret: string, options: MintTokenOptions): string {
  return jwtLibrary().sign({ scope: options.scope.join(" ") }, secret, {
    algorithm: "HS256",
    subject: options.sub,
    expiresIn: options.expiresIn as Jwt.SignOptions["expiresIn"],
  });
}
