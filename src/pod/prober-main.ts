/**
 * The start-up prober of the Kubernetes runtime (src/pod/prober-server.ts), run in a prober pod from the bundled
 * code in the meshtax-code ConfigMap: `node prober.js --port=PORT`. It stops itself once no control request has
 * come for IDLE_MS (meshtax deletes it with its namespace long before, unless meshtax itself was killed).
 */
import { proberNow, startProber } from './prober-server.ts';

const IDLE_MS = 30 * 60_000;

const portArgument = process.argv.find((arg) => arg.startsWith('--port='));
const port = Number(portArgument?.slice('--port='.length) ?? 'NaN');
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  process.stderr.write('prober: --port=PORT is required\n');
  process.exit(2);
}
const prober = await startProber(port);
process.stdout.write(`prober listening on :${port}\n`);
process.once('SIGTERM', () => process.exit(0));
setInterval(() => {
  if (proberNow() - prober.lastRequestMs() > IDLE_MS) {
    process.stdout.write('prober: no control request for 30 min; leaving\n');
    process.exit(0);
  }
}, 10_000).unref();
