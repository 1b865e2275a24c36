/** Replaces every secret in `text` with "***". Secrets shorter than 4 characters are left, as they would mangle ordinary text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join("***");
  }
  return out;
}
