import http from 'node:http';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../core/errors.ts';

/**
 * The start-up prober: a small HTTP server in a meshed pod that, told a new pod's address, asks that pod for `path`
 * every POLL_INTERVAL_MS (a new connection each time, so each attempt takes the path as it is then) until it answers
 * 2xx or the time given is up, and records when the first 2xx arrived on its own clock. meshtax reads that clock and
 * the results through the API server's pod proxy; the prober needs no API credentials.
 *
 * Control requests (all GET; answers are JSON):
 * - `/clock`: `{ nowMs }`, the prober's clock (performance.timeOrigin + performance.now(), milliseconds);
 * - `/probe?name=&ip=&port=&path=&host=&timeoutMs=`: start polling `http://ip:port/path` with Host `host` (a name
 *   already probed is left as it is);
 * - `/results`: `{ nowMs, targets: { name: ProbeTarget } }`;
 * - `/reset`: stop every poll and forget them;
 * - `/healthz`: 200, for the readiness probe.
 */

export const POLL_INTERVAL_MS = 25;
/** One attempt's limit: a pod that accepts the connection but does not answer is asked again after this. */
export const ATTEMPT_TIMEOUT_MS = 500;
const MAX_TARGETS = 5000;
const MAX_TIMEOUT_MS = 60 * 60_000;

export interface ProbeTarget {
  ip: string;
  port: number;
  /** Prober clock when polling began. */
  startedMs: number;
  /** Prober clock when the first 2xx answer's status line arrived; null while (or if) none has. */
  firstOkMs: number | null;
  attempts: number;
  /** The last failed attempt's status or error. */
  lastError: string | null;
  /** Polling has ended: answered, out of time, or reset. */
  done: boolean;
}

export interface ProberResults {
  nowMs: number;
  targets: Record<string, ProbeTarget>;
}

export const proberNow = (): number => performance.timeOrigin + performance.now();

/** One GET on a new connection: the status code, or the error's message. */
function attempt(target: { ip: string; port: number; path: string; host: string }): Promise<{ status: number; at: number } | { error: string }> {
  return new Promise((resolve) => {
    const request = http.request(
      { host: target.ip, port: target.port, path: target.path, method: 'GET', agent: false, timeout: ATTEMPT_TIMEOUT_MS, headers: { host: target.host } },
      (response) => {
        const at = proberNow();
        response.resume();
        response.on('error', () => undefined);
        resolve({ status: response.statusCode ?? 0, at });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`)));
    request.on('error', (error) => resolve({ error: error.message }));
    request.end();
  });
}

export interface Prober {
  readonly server: http.Server;
  /** Prober clock of the last control request (for leaving when nobody asks any more). */
  lastRequestMs(): number;
  close(): Promise<void>;
}

/** A control request the prober refuses: answered 400. */
class BadRequest extends InputError {}

function required(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw new BadRequest(`${name} is missing`);
  return value;
}

function integer(query: URLSearchParams, name: string, min: number, max: number): number {
  const value = Number(required(query, name));
  if (!Number.isInteger(value) || value < min || value > max) throw new BadRequest(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

/** Starts the prober's control server on `port` of `host`. */
export async function startProber(port: number, host = '0.0.0.0'): Promise<Prober> {
  const targets = new Map<string, ProbeTarget>();
  let generation = 0;
  let last = proberNow();

  const poll = async (target: ProbeTarget, spec: { path: string; host: string }, timeoutMs: number, mine: number): Promise<void> => {
    const deadline = target.startedMs + timeoutMs;
    while (generation === mine && proberNow() < deadline) {
      const started = proberNow();
      target.attempts++;
      const outcome = await attempt({ ip: target.ip, port: target.port, ...spec });
      if (generation !== mine) return;
      if ('status' in outcome && outcome.status >= 200 && outcome.status < 300) {
        target.firstOkMs = outcome.at;
        break;
      }
      target.lastError = 'status' in outcome ? `HTTP ${outcome.status}` : outcome.error;
      const wait = started + POLL_INTERVAL_MS - proberNow();
      if (wait > 0) await sleep(wait);
    }
    target.done = true;
  };

  const handle = (url: URL): unknown => {
    const query = url.searchParams;
    switch (url.pathname) {
      case '/healthz':
        return { ok: true };
      case '/clock':
        return { nowMs: proberNow() };
      case '/results':
        return { nowMs: proberNow(), targets: Object.fromEntries(targets) } satisfies ProberResults;
      case '/reset':
        generation++;
        for (const target of targets.values()) target.done = true;
        targets.clear();
        return { reset: true };
      case '/probe': {
        const name = required(query, 'name');
        const existing = targets.get(name);
        if (existing) return { accepted: true, startedMs: existing.startedMs };
        const ip = required(query, 'ip');
        if (isIP(ip) === 0) throw new BadRequest(`ip ${ip} is not an IP address`);
        const targetPort = integer(query, 'port', 1, 65_535);
        const timeoutMs = integer(query, 'timeoutMs', 1, MAX_TIMEOUT_MS);
        const path = query.get('path') ?? '/';
        if (!path.startsWith('/')) throw new BadRequest('path must start with /');
        if (targets.size >= MAX_TARGETS) throw new BadRequest(`at most ${MAX_TARGETS} pods at once; reset first`);
        const target: ProbeTarget = { ip, port: targetPort, startedMs: proberNow(), firstOkMs: null, attempts: 0, lastError: null, done: false };
        targets.set(name, target);
        void poll(target, { path, host: query.get('host') || `${isIP(ip) === 6 ? `[${ip}]` : ip}:${targetPort}` }, timeoutMs, generation);
        return { accepted: true, startedMs: target.startedMs };
      }
      default:
        return undefined;
    }
  };

  const server = http.createServer((request, response) => {
    last = proberNow();
    let status = 200;
    let body: unknown;
    try {
      body = request.method === 'GET' ? handle(new URL(request.url ?? '/', 'http://prober')) : undefined;
      if (body === undefined) {
        status = request.method === 'GET' ? 404 : 405;
        body = { error: request.method === 'GET' ? `no such path ${request.url ?? ''}` : 'only GET' };
      }
    } catch (error) {
      status = error instanceof BadRequest ? 400 : 500;
      body = { error: error instanceof Error ? error.message : String(error) };
    }
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    lastRequestMs: () => last,
    close: async () => {
      generation++;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
