import { EXIT } from './exit-codes.ts';

/**
 * Ctrl-C and SIGTERM, for the whole process, installed before anything else loads. The first signal aborts
 * `interrupted`: a running command stops its load, cleans up, writes run.json with status interrupted and exits 130.
 * A second signal while that clean-up runs exits at once (child processes still die: their stdin closes).
 */
const controller = new AbortController();
let installed = false;
let busy = false;

export const interrupted: AbortSignal = controller.signal;

export function installInterruptHandler(): void {
  if (installed) return;
  installed = true;
  const handler = (): void => {
    if (controller.signal.aborted || !busy) process.exit(EXIT.interrupted);
    process.stderr.write('\nmeshtax: interrupted; stopping load and cleaning up (press Ctrl-C again to quit at once)\n');
    controller.abort();
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
