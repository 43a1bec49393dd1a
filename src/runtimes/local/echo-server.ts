/**
 * The echo server the local runtime runs as a "pod": answers every request with 200 and a body of
 * `--payload-bytes` bytes after `--delay-ms`, on HTTP/1.1 keep-alive; with `--forward URL` (a service of a call chain)
 * only after `--fan-out` calls to the next service have come back. Started as its own process; prints one JSON
 * line `{"port":N}` on stdout once it listens so the parent learns the port it was given. The Kubernetes runtime
 * runs the same file, bundled, in its echo pods (`--pod`).
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { forwarder } from './echo-forward.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'payload-bytes': { type: 'string', default: '1024' },
    'delay-ms': { type: 'string', default: '0' },
    // A service of a call chain: forward each request to the next service first (see echo-forward.ts).
    forward: { type: 'string' },
    'fan-out': { type: 'string', default: '1' },
    // In a Kubernetes pod stdin is closed from the start, and the kubelet stops the server with SIGTERM.
    pod: { type: 'boolean', default: false },
  },
});

const body = Buffer.alloc(Number(values['payload-bytes']), 'x');
const delayMs = Number(values['delay-ms']);
const headers = { 'content-type': 'application/octet-stream', 'content-length': String(body.length) };
const forward = values.forward === undefined ? undefined : forwarder(values.forward, Number(values['fan-out']));

const server = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const reply = (): void => {
      response.writeHead(200, headers);
      response.end(body);
    };
    const respond = (): void => {
      if (delayMs > 0) setTimeout(reply, delayMs);
      else reply();
    };
    if (!forward) return respond();
    forward((error) => {
      if (error === undefined) return respond();
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`next service: ${error}\n`);
    });
  });
});
// Keep idle connections open through the longest pause between phases.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

const shutdown = (): void => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The parent holds our stdin open; when it disappears without a signal (killed hard), so do we.
if (!values.pod) {
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}
