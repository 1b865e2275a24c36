const UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

/**
 * Sizes with one decimal and a unit, as protocol.md has upload labels show them: "512.0B", "1.5MB",
 * "300.0MB". Bytes get their decimal too, so a label never mixes "512B" with "1.5MB". The unit is
 * picked after rounding, so 1023.97 KB reads "1.0MB", never "1024.0KB".
 */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (unit < UNITS.length - 1 && Math.round(value * 10) / 10 >= 1024) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)}${UNITS[unit]}`;
}
