// Signals first: a Ctrl-C while modules load must still exit 130, and must not skip a clean-up later.
import { installInterruptHandler } from './interrupt.ts';

installInterruptHandler();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
