/**
 * Human-readable numbers for the UI. Sizes use SI units (1 MB = 10^6 bytes),
 * as registries and `docker images` do; the exact byte count
 * goes in a tooltip via `formatExactBytes`.
 */

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** `1234567` → `"1.23 MB"`; `null` → `"—"`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1000) return `${bytes} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${SIZE_UNITS[unit]}`;
}

/** `1234567` → `"1,234,567 bytes"` (grouping fixed to commas, whatever the locale). */
export function formatExactBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return 'unknown size';
  return `${groupDigits(bytes)} ${bytes === 1 ? 'byte' : 'bytes'}`;
}

/** `1234567` → `"1,234,567"`. */
export function groupDigits(value: number): string {
  return Math.trunc(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes per second → `"128 MB/s"`. */
export function formatRate(bytesPerSecond: number | null): string {
  if (bytesPerSecond === null || !Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** Milliseconds → `"850 ms"`, `"4.2 s"`, `"3 min 05 s"`, `"1 h 02 min"`. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const totalSeconds = Math.round(seconds);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** `sha256:0123456789abcdef…` → `"sha256:0123456789ab"` (12 hex digits, as `docker images` shows). */
export function shortDigest(digest: string | null | undefined): string {
  if (!digest) return '—';
  const colon = digest.indexOf(':');
  if (colon < 0) return digest.slice(0, 12);
  return digest.slice(0, colon + 1 + 12);
}

/**
 * A tar member's mtime (seconds since 1970, possibly negative, fractional or
 * far beyond 2038) → `"2024-05-01 12:34:56 UTC"`. Past the calendar that
 * Date can hold (±8.64e15 ms), the number is shown as GNU tar shows it.
 */
export function formatUnixTime(seconds: number): string {
  const milliseconds = seconds * 1000;
  if (!Number.isFinite(milliseconds) || Math.abs(milliseconds) > 8.64e15) return `${seconds} s since 1970`;
  return formatTimestamp(new Date(milliseconds).toISOString());
}

/** An ISO timestamp → `"2024-05-01 12:34:56 UTC"`; unparsable text is returned as is. */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '—';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return new Date(time).toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}
