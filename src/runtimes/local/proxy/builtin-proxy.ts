/**
 * meshtax's built-in proxy, used when HAProxy is not installed (or with `local.proxy: builtin`). Run as its own
 * process: `node builtin-proxy.(ts|js) --spec <file.json>`, where the file holds a ProxySpec
 * (`--upstream-timeout-ms N` shortens the L7 upstream timeout of 30 s, for tests). It starts every
 * listener (`http`: L7 like a sidecar or waypoint; `tcp`: L4 like ztunnel), then prints `{"ready":true}` on stdout
 * — the only thing it ever prints there. Problems go to stderr; a spec it cannot run (unreadable file, bad
 * certificate, a port it cannot bind) exits with code 1 and says why. It exits on SIGTERM/SIGINT and when its stdin
 * closes, so it never outlives the meshtax that started it.
 */
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import { parseArgs } from 'node:util';
import { createH2Listener } from './builtin-h2.ts';
import { createHttpListener, UPSTREAM_TIMEOUT_MS } from './builtin-http.ts';
import { describeError, problemReporter, type ReportProblem } from './builtin-log.ts';
import { createTcpListener } from './builtin-tcp.ts';
import type { Endpoint, Listener, ProxySpec } from './types.ts';

let label = 'builtin proxy';

function die(message: string): never {
  process.stderr.write(`${label}: ${message}\n`);
  process.exit(1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkEndpoint(value: unknown, where: string): void {
  if (!isRecord(value) || typeof value.host !== 'string' || value.host === '') die(`${where}.host must be a host`);
  const port = value.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    die(`${where}.port must be a port from 1 to 65535, not ${JSON.stringify(port)}`);
  }
}

function checkFiles(value: unknown, where: string, keys: readonly string[]): void {
  if (value === undefined) return;
  if (!isRecord(value)) die(`${where} must be an object`);
  for (const key of keys) {
    if (typeof value[key] !== 'string' || value[key] === '') die(`${where}.${key} must be a file name`);
  }
}

/** The spec file, checked for the shape the runtime writes; anything else is a bug worth a clear message. */
function readSpec(file: string): ProxySpec {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    die(`cannot read the spec ${file}: ${describeError(error)}`);
  }
  if (!isRecord(parsed) || typeof parsed.name !== 'string' || parsed.name === '') die(`${file}: name is missing`);
  label = `builtin proxy ${parsed.name}`;
  const listeners = parsed.listeners;
  if (!Array.isArray(listeners) || listeners.length === 0) die(`${file}: listeners must be a non-empty list`);
  listeners.forEach((listener: unknown, i) => {
    const where = `listeners[${i}]`;
    if (!isRecord(listener) || typeof listener.name !== 'string') die(`${where}.name is missing`);
    if (listener.mode !== 'http' && listener.mode !== 'tcp') die(`${where}.mode must be http or tcp`);
    checkEndpoint(listener.listen, `${where}.listen`);
    checkEndpoint(listener.upstream, `${where}.upstream`);
    checkFiles(listener.tls, `${where}.tls`, ['certFile', 'keyFile', 'caFile']);
    checkFiles(listener.upstreamTls, `${where}.upstreamTls`, ['certFile', 'keyFile', 'caFile', 'serverName']);
  });
  return parsed as unknown as ProxySpec;
}

function where(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

function listen(server: net.Server, listener: Listener, report: ReportProblem): Promise<void> {
  return new Promise((resolve) => {
    const onError = (error: Error): void =>
      die(`listener '${listener.name}' cannot listen on ${where(listener.listen)}: ${describeError(error)}`);
    server.once('error', onError);
    server.listen({ host: listener.listen.host, port: listener.listen.port, exclusive: true }, () => {
      server.off('error', onError);
      // Once listening, errors are per connection (EMFILE on accept, …): report them and keep serving.
      const prefix = `listener '${listener.name}'`;
      server.on('error', (error) => report(prefix, `${prefix}: ${describeError(error)}`));
      resolve();
    });
  });
}

const { values } = parseArgs({
  options: {
    spec: { type: 'string' },
    'upstream-timeout-ms': { type: 'string', default: String(UPSTREAM_TIMEOUT_MS) },
  },
});
if (!values.spec) die('usage: builtin-proxy --spec <file.json> [--upstream-timeout-ms N]');
const upstreamTimeoutMs = Number(values['upstream-timeout-ms']);
if (!Number.isInteger(upstreamTimeoutMs) || upstreamTimeoutMs <= 0) {
  die('--upstream-timeout-ms must be a positive integer');
}
const spec = readSpec(values.spec);
const report = problemReporter(label);

const shutdown = (): void => process.exit(0);
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The parent holds our stdin open; when it disappears without a signal (killed hard), so do we.
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();

const servers = spec.listeners.map((listener): [net.Server, Listener] => {
  try {
    const server =
      listener.mode === 'http' && listener.h2
        ? createH2Listener(listener, report, upstreamTimeoutMs)
        : listener.mode === 'http'
        ? createHttpListener(listener, report, upstreamTimeoutMs)
        : createTcpListener(listener, report);
    return [server, listener];
  } catch (error) {
    return die(`listener '${listener.name}': ${describeError(error)}`);
  }
});
await Promise.all(servers.map(([server, listener]) => listen(server, listener, report)));
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
