/**
 * The echo server the local runtime runs as a "pod": answers every request on HTTP/1.1 keep-alive, with the
 * per-request behaviour of its model (echo-model.ts): a body of a drawn size, after a drawn delay and a drawn amount
 * of busy CPU work, with status 500 for a drawn fraction of requests. `--model` takes the model as JSON;
 * `--payload-bytes` and `--delay-ms` set a fixed size and delay for callers that need nothing else. Started as its
 * own process; prints one JSON line `{"port":N}` on stdout once it listens so the parent learns the port it was
 * given. With `--forward URL` (a service of a call chain) it answers only after `--fan-out` calls to the next service
 * have come back. With `--protocol http2|grpc` it speaks h2c instead, with the same model (echo-h2.ts: plain
 * HTTP/2, or meshtax's gRPC echo and health services). The Kubernetes runtime runs the same file, bundled, in its
 * echo pods (`--pod`).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { echoH2Server } from './echo-h2.ts';
import { forwarder } from './echo-forward.ts';
import { DEFAULT_ECHO_SEED, echoDraws, type EchoModel } from './echo-model.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'payload-bytes': { type: 'string', default: '1024' },
    'delay-ms': { type: 'string', default: '0' },
    // A service of a call chain: forward each request to the next service first (see echo-forward.ts).
    forward: { type: 'string' },
    'fan-out': { type: 'string', default: '1' },
    model: { type: 'string' },
    protocol: { type: 'string', default: 'http1' },
    // In a Kubernetes pod stdin is closed from the start, and the kubelet stops the server with SIGTERM.
    pod: { type: 'boolean', default: false },
  },
});

const model: EchoModel = values.model
  ? (JSON.parse(values.model) as EchoModel)
  : { payloadBytes: Number(values['payload-bytes']), delayMs: Number(values['delay-ms']), cpuMs: 0, errorRate: 0, seed: DEFAULT_ECHO_SEED };
const draw = echoDraws(model);

/** One buffer of 'x', grown to the largest body drawn so far; each response sends a prefix of it. */
let filler = Buffer.alloc(0);
function bodyOf(bytes: number): Buffer {
  if (bytes > filler.length) filler = Buffer.alloc(Math.max(bytes, filler.length * 2), 'x');
  return filler.subarray(0, bytes);
}

/** Keeps this thread busy for `ms`: the CPU a heavy handler spends, which queues the requests behind it. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

const forward = values.forward === undefined ? undefined : forwarder(values.forward, Number(values['fan-out']));

const protocol = values.protocol;
if (protocol !== 'http1' && protocol !== 'http2' && protocol !== 'grpc') {
  process.stderr.write(`echo-server: --protocol must be http1, http2 or grpc, not '${protocol}'\n`);
  process.exit(2);
}
const h2 = protocol === 'http1' ? undefined : echoH2Server(protocol, { draw, body: bodyOf, busy });
const h1 = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const { status, bodyBytes, delayMs, cpuMs } = draw();
    const reply = (): void => {
      const body = bodyOf(bodyBytes);
      response.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
      response.end(body);
    };
    const respond = (): void => {
      if (cpuMs > 0) busy(cpuMs);
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
