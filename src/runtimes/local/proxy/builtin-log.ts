/**
 * Problems the built-in proxy reports on stderr (stdout carries only its ready line). Failures can repeat once
 * per request, so each kind is written at most once per interval, with a count of the ones held back.
 */
export type ReportProblem = (kind: string, message: string) => void;

const DEFAULT_INTERVAL_MS = 5_000;

export function problemReporter(
  prefix: string,
  write: (line: string) => void = (line) => process.stderr.write(line),
  intervalMs = DEFAULT_INTERVAL_MS,
): ReportProblem {
  const seen = new Map<string, { at: number; held: number }>();
  return (kind, message) => {
    const now = Date.now();
    const last = seen.get(kind);
    if (last && now - last.at < intervalMs) {
      last.held++;
      return;
    }
    const held = last && last.held > 0 ? ` (${last.held} more like it since the last report)` : '';
    seen.set(kind, { at: now, held: 0 });
    write(`${prefix}: ${message}${held}\n`);
  };
}

/** An error's code and message in one short line, e.g. `ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const text = code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
