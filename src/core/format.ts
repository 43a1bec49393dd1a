/** Human formatting of measured values; machine output (JSON) keeps raw numbers and units in field names. */

/** Microseconds as µs below 1 ms and ms above, with three significant digits; null (too few samples) as "—". */
export function formatUs(us: number | null): string {
  if (us === null) return '—';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 10_000) return `${(us / 1000).toFixed(2)} ms`;
  if (us < 100_000) return `${(us / 1000).toFixed(1)} ms`;
  return `${Math.round(us / 1000)} ms`;
}

export function formatRate(rps: number | null): string {
  if (rps === null) return 'max';
  return rps >= 100 ? String(Math.round(rps)) : rps.toFixed(1);
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** A latency delta in microseconds with its sign, e.g. "+212 µs", "-0.04 ms"; null as "—". */
export function formatDeltaUs(us: number | null): string {
  if (us === null) return '—';
  const sign = us > 0 ? '+' : us < 0 ? '-' : '±';
  return `${sign}${formatUs(Math.abs(us))}`;
}

export function formatCores(cores: number | null): string {
  if (cores === null) return '—';
  return cores < 0.1 ? cores.toFixed(3) : cores.toFixed(2);
}

/** Bytes in binary units with three significant digits, e.g. "12.3 MiB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(value >= 10 ? 1 : 2)} ${units[unit]}`;
}

/** The scenario's metadata.name as run.json recorded it; undefined when it has none. */
export function metadataName(run: { scenario: Record<string, unknown> }): string | undefined {
  const metadata = run.scenario['metadata'];
  if (metadata && typeof metadata === 'object' && 'name' in metadata && typeof metadata.name === 'string' && metadata.name !== '') {
    return metadata.name;
  }
  return undefined;
}

/** The scenario's metadata.name as run.json recorded it, or its file when the name is missing. */
export function scenarioName(run: { scenario: Record<string, unknown>; scenarioSource: string }): string {
  return metadataName(run) ?? run.scenarioSource;
}

/** A mode as reports name it: `sidecar`, or with a call chain the depth measured, `sidecar (depth 2)`. */
export function modeLabel(row: { mode: string; depth?: number | undefined }): string {
  return row.depth === undefined ? row.mode : `${row.mode} (depth ${row.depth})`;
}
