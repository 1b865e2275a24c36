/** Replaces every secret in `text` with "***". Secrets shorter than 4 characters are left, as they would mangle ordinary text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join("***");
  }
  return out;
}

/** `value` with every string in it redacted, however deep (a run's result, before it is printed, written or sent). */
export function redactAll<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === "string") return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactAll(item, secrets)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactAll(item, secrets)])) as T;
  }
  return value;
}
