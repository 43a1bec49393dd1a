import { EXIT } from '../core/exit-codes.ts';

/**
 * Ctrl-C and SIGTERM, for the whole process, installed before anything else loads. The first signal aborts
 * `interrupted`: a running command stops its load, cleans up, writes run.json with status interrupted and the
 * reports, and exits 130. A second signal during that clean-up does not cut it short: an impatient double Ctrl-C
 * must not leave run.json "running" forever with no reports. A third quits at once, after the last words
 * registered with onQuit (run.json's final state, written synchronously).
 */
const controller = new AbortController();
let installed = false;
let busy = false;
let signals = 0;
const lastWords = new Set<() => void>();

export const interrupted: AbortSignal = controller.signal;

export function installInterruptHandler(): void {
  if (installed) return;
  installed = true;
  const handler = (): void => {
    signals++;
    if (!busy) process.exit(EXIT.interrupted);
    if (signals === 1) {
      process.stderr.write('\nmeshtax: interrupted; stopping load and cleaning up\n');
      controller.abort();
      return;
    }
    if (signals === 2) {
      process.stderr.write('\nmeshtax: still cleaning up, then run.json and the reports are written; Ctrl-C once more quits at once\n');
      return;
    }
    for (const words of lastWords) {
      try {
        words();
      } catch (error) {
        process.stderr.write(`meshtax: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/**
 * Marks a stretch of work that must clean up after itself; outside it a signal exits at once, as nothing needs
 * undoing. Returns a function that ends the stretch.
 */
export function cleanupScope(): () => void {
  busy = true;
  return () => {
    busy = false;
  };
}

/** Registers what must happen synchronously before a forced quit (the third signal); returns its removal. */
export function onQuit(words: () => void): () => void {
  lastWords.add(words);
  return () => lastWords.delete(words);
}
