/**
 * A JSON string that was base64, already decoded: what the server's form path puts in place of a
 * v1 chunk's text, so its 7 MB never become a string. The payload checks take it where they take
 * the string (server/validate/base64.ts).
 */
export class DecodedBase64 {
  constructor(readonly bytes: Buffer) {}
}
