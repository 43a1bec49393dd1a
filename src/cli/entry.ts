// Signals first: a Ctrl-C while modules load must still exit 130, and must not skip a clean-up later.
import { installInterruptHandler } from './interrupt.ts';

installInterruptHandler();
// A reader that went away (`meshtax history | head`) closes the pipe: the rest of the output has nowhere to go. The
// command ends as it would have (a run still cleans up and writes its files), not with an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
