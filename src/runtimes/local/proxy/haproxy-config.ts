import net from 'node:net';
import type { ClientTls, Endpoint, Listener, ProxySpec, ServerTls } from './types.ts';
import { MeshtaxError } from '../../../core/errors.ts';

/**
 * HAProxy configuration for one proxy process, written for HAProxy 2.6 (Debian 12's; every keyword below is in
 * the 2.6 configuration manual, and the tests check every rendered configuration with `haproxy -dW -c`).
 *
 * - One thread by default (`nbthread 1`). HAProxy would otherwise start one thread per CPU it may run on, so on a
 *   2-core machine every sidecar, node proxy and waypoint would spread over both cores beside the load generator
 *   and the echo server, and the proxy's cost would depend on the core count more than on the request path.
 *   Meshes, too, size a proxy to a couple of worker threads rather than to the host; `threads` raises it where
 *   cores are to spare.
 * - Runs in the foreground (no `daemon`; started with `-db`), logs nothing (no `log` line): alerts and warnings
 *   still go to stderr, which meshtax keeps for error messages.
 * - `mode http` listeners keep downstream connections alive and hold a pool of keep-alive upstream connections
 *   reused across downstream connections (`http-reuse always`), as a sidecar or waypoint does; idle upstream
 *   connections are kept for 60 s (`pool-purge-delay`, 5 s by default) so pauses between phases do not make the
 *   next phase pay for new TLS handshakes. `mode tcp` listeners open one upstream connection per downstream one.
 * - Server-side mTLS requires a client certificate from the run's CA; client-side mTLS presents the proxy's own
 *   certificate, sends the upstream's name as SNI and checks it against the server certificate.
 */
export interface HaproxyConfigOptions {
  /** Worker threads (`nbthread`); 1 unless told. */
  threads?: number;
  /** Connection limit of the process (`maxconn`); 4096 unless told. */
  maxConnections?: number;
}

export const HAPROXY_DEFAULT_THREADS = 1;
export const HAPROXY_DEFAULT_MAXCONN = 4096;

/** Names of proxies and listeners; they become section names and file names. */
const NAME = /^[a-z0-9-]+$/;
/** A DNS name as certificates carry it: lower-case labels of letters, digits and inner hyphens. */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** Path characters HAProxy reads literally outside quotes. */
const PLAIN_PATH = /^[A-Za-z0-9._/+=@:,~-]+$/;

export class HaproxyConfigError extends MeshtaxError {}

export function renderHaproxyConfig(spec: ProxySpec, options: HaproxyConfigOptions = {}): string {
  const threads = options.threads ?? HAPROXY_DEFAULT_THREADS;
  const maxConnections = options.maxConnections ?? HAPROXY_DEFAULT_MAXCONN;
  checkName('proxy name', spec.name);
  checkCount('threads', threads, 1, 64);
  checkCount('maxConnections', maxConnections, 1, 1_000_000);
  if (spec.listeners.length === 0) throw new HaproxyConfigError(`proxy ${spec.name} has no listeners`);
  const seen = new Set<string>();
  for (const listener of spec.listeners) {
    checkName(`listener name of proxy ${spec.name}`, listener.name);
    if (seen.has(listener.name)) {
      throw new HaproxyConfigError(`proxy ${spec.name} has two listeners named ${listener.name}`);
    }
    seen.add(listener.name);
  }
  const lines = [
    `# meshtax proxy ${spec.name}: generated for this run, removed with its work directory.`,
    'global',
    `  nbthread ${threads}`,
    `  maxconn ${maxConnections}`,
    '',
    'defaults',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 60s',
  ];
  for (const listener of spec.listeners) lines.push('', ...renderListener(listener));
  return `${lines.join('\n')}\n`;
}

function renderListener(listener: Listener): string[] {
  const { name, mode } = listener;
  const http = mode === 'http';
  const bind = ['bind', address(listener.listen)];
  if (listener.tls) bind.push(...serverTlsWords(listener.tls));
  const server = ['server', 'up', address(listener.upstream)];
  if (listener.upstreamTls) server.push(...clientTlsWords(listener.upstreamTls));
  // HTTP/2 traffic: every TLS leg offers h2 with ALPN; an L7 listener speaks HTTP/2 both ways whatever was
  // negotiated (`proto h2`: prior knowledge in the clear, and over TLS from an L4 hop that may not pass ALPN on).
  if (listener.h2) {
    if (listener.tls) bind.push('alpn', 'h2');
    if (listener.upstreamTls) server.push('alpn', 'h2');
    if (http) {
      bind.push('proto', 'h2');
      server.push('proto', 'h2');
    }
  }
  if (http) server.push('pool-purge-delay', '60s');
  return [
    `frontend ${name}`,
    `  mode ${mode}`,
    ...(http ? ['  option http-keep-alive'] : []),
    `  ${bind.join(' ')}`,
    `  default_backend ${name}`,
    '',
    `backend ${name}`,
    `  mode ${mode}`,
    ...(http ? ['  option http-keep-alive', '  http-reuse always'] : []),
    `  ${server.join(' ')}`,
  ];
}

function serverTlsWords(tls: ServerTls): string[] {
  return ['ssl', 'crt', pathWord(tls.bundleFile), 'ca-file', pathWord(tls.caFile), 'verify', 'required'];
}

function clientTlsWords(tls: ClientTls): string[] {
  if (!DNS_NAME.test(tls.serverName)) {
    throw new HaproxyConfigError(`upstream server name '${tls.serverName}' is not a lower-case DNS name`);
  }
  return [
    'ssl',
    'crt',
    pathWord(tls.bundleFile),
    'ca-file',
    pathWord(tls.caFile),
    'verify',
    'required',
    'sni',
    `str(${tls.serverName})`,
    'verifyhost',
    tls.serverName,
  ];
}

/** `127.0.0.1:8080`, or `ipv6@::1:8080`: HAProxy takes the last colon as the port separator. */
function address(endpoint: Endpoint): string {
  const { host, port } = endpoint;
  checkCount(`port of ${host}`, port, 1, 65535);
  const family = net.isIP(host);
  if (family === 4) return `${host}:${port}`;
  if (family === 6) return `ipv6@${host}:${port}`;
  throw new HaproxyConfigError(`'${host}' is not an IP address; the local runtime gives proxies IP addresses only`);
}

/** A path as one configuration word: literal when plain, strongly quoted otherwise (nothing inside is special). */
function pathWord(file: string): string {
  if (!file.startsWith('/')) throw new HaproxyConfigError(`'${file}' is not an absolute path`);
  if (PLAIN_PATH.test(file)) return file;
  // Single quotes cannot hold a single quote or a line break; meshtax's temporary paths never contain them.
  if (/['\p{Cc}]/u.test(file)) {
    throw new HaproxyConfigError(`path ${JSON.stringify(file)} cannot be written into HAProxy's configuration`);
  }
  return `'${file}'`;
}

function checkName(what: string, name: string): void {
  if (!NAME.test(name)) throw new HaproxyConfigError(`${what} '${name}' must be lower-case letters, digits and '-'`);
}

function checkCount(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new HaproxyConfigError(`${what} must be an integer from ${min} to ${max}, not ${value}`);
  }
}
