/**
 * The echo server the local runtime runs as a "pod": answers every request with 200 and a body of
 * `--payload-bytes` bytes after `--delay-ms`, on HTTP/1.1 keep-alive, or with `--protocol http2|grpc` on h2c
 * (echo-h2.ts: plain HTTP/2, or meshtax's gRPC echo and health services). Started as its own process; prints one JSON
 * line `{"port":N}` on stdout once it listens so the parent learns the port it was given. The Kubernetes runtime
 * runs the same file, bundled, in its echo pods (`--pod`).
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { echoH2Server } from './echo-h2.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'payload-bytes': { type: 'string', default: '1024' },
    'delay-ms': { type: 'string', default: '0' },
    protocol: { type: 'string', default: 'http1' },
    // In a Kubernetes pod stdin is closed from the start, and the kubelet stops the server with SIGTERM.
    pod: { type: 'boolean', default: false },
  },
});

const body = Buffer.alloc(Number(values['payload-bytes']), 'x');
const delayMs = Number(values['delay-ms']);
const headers = { 'content-type': 'application/octet-stream', 'content-length': String(body.length) };

const protocol = values.protocol;
if (protocol !== 'http1' && protocol !== 'http2' && protocol !== 'grpc') {
  process.stderr.write(`echo-server: --protocol must be http1, http2 or grpc, not '${protocol}'\n`);
  process.exit(2);
}
const h2 = protocol === 'http1' ? undefined : echoH2Server(protocol, body, delayMs);
const h1 = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const reply = (): void => {
      response.writeHead(200, headers);
      response.end(body);
    };
    if (delayMs > 0) setTimeout(reply, delayMs);
    else reply();
  });
});
// Keep idle connections open through the longest pause between phases.
h1.keepAliveTimeout = 120_000;
h1.headersTimeout = 130_000;
const server = h2 ?? h1;
server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

const shutdown = (): void => {
  server.close(() => process.exit(0));
  if (h2) setTimeout(() => process.exit(0), 1000).unref();
  else h1.closeAllConnections();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The parent holds our stdin open; when it disappears without a signal (killed hard), so do we.
if (!values.pod) {
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}
