/** Names as they are, so a user can search for them; escaped only when they hold control characters or quotes. */
export function quote(name: string): string {
  return /[\x00-\x1f"]/.test(name) ? JSON.stringify(name) : `"${name}"`;
}
