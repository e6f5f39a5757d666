/** Pure readers for nvidia-smi value strings ("81920 MiB", "67.03 W", "16x", "N/A", "[Not Supported]"). */

const bytesPerUnit: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

/** True for the placeholders nvidia-smi prints instead of a value. */
export function isNotAvailable(text: string): boolean {
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1').trim();
  return bare === '' || /^(N\/A|Not Supported|Unknown Error|Insufficient Permissions|Requested functionality has been deprecated|GPU is lost|No data)$/i.test(bare);
}

/** Reads a number with an optional unit suffix ("67.03 W", "16x", "1949 MHz"); null when not available or not numeric. */
export function readNumber(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (isNotAvailable(text)) return null;
  const match = /^(-?\d+(?:\.\d+)?)\s*(?:[A-Za-z%]+)?$/.exec(text);
  return match ? Number(match[1]) : null;
}

/** Reads a memory quantity ("81920 MiB", "12 KiB") as bytes; a bare number is taken as MiB, nvidia-smi's unit. */
export function readBytes(value: unknown): number | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (isNotAvailable(text)) return null;
  const match = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB)?$/.exec(text);
  if (!match) return null;
  return Math.round(Number(match[1]) * bytesPerUnit[match[2] ?? 'MiB']);
}

/** Reads a text value, null for placeholders and non-strings. */
export function readText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  return isNotAvailable(text) ? null : text;
}
