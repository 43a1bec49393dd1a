/**
 * Series of the Prometheus text exposition format (and OpenMetrics text, which shares its sample lines):
 * `name{label="value",…} value [timestamp]`. Comments (`# HELP`, `# TYPE`, `# EOF`) and malformed lines are skipped.
 */
export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The sample's own timestamp (ms), when the exporter wrote one. */
  timestampMs?: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Every sample whose metric name is one of `names` (every sample when `names` is empty). */
export function parseSeries(text: string, names: readonly string[] = []): Series[] {
  const wanted = new Set(names);
  const series: Series[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const [, name, labelText, valueText, timestamp] = match;
    if (wanted.size > 0 && !wanted.has(name!)) continue;
    const value = Number(valueText);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const label of (labelText ?? '').matchAll(LABEL)) labels[label[1]!] = unescape(label[2]!);
    series.push({ name: name!, labels, value, ...(timestamp ? { timestampMs: Number(timestamp) } : {}) });
  }
  return series;
}
