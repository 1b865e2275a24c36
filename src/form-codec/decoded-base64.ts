/**
 * A JSON string that was base64, already decoded: what the server's form path puts in place of a
 * v1 chunk's text, so its 7 MB never become a string. The payload checks take it where they take
 * the string (server/validate/base64.ts).
 */
export class DecodedBase64 {
  private released = false;

  constructor(
    readonly bytes: Buffer,
    private readonly giveBack: (bytes: Buffer) => void = () => undefined,
  ) {}

  /** Gives the bytes' memory back to the codec that decoded them, once nothing reads them; only the first call counts. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.giveBack(this.bytes);
  }
}
