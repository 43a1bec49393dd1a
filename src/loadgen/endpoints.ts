import type { Target } from './target.ts';

/**
 * One endpoint of a request mix, as the engine receives it (serialisable: it travels to worker threads and to
 * generator pods). A phase without `requests` sends one GET of the target URL's path.
 */
export interface EndpointSpec {
  /** Name in results and reports (unique within the phase). */
  name: string;
  method: string;
  /** Path and query, starting with '/'. gRPC: '/package.Service/Method'. */
  path: string;
  /** Extra request headers, lowercase names. */
  headers: Record<string, string>;
  /** Request body, base64 (gRPC: the length-prefixed message). Empty for none. */
  body: string;
  /** Relative weight: the share of requests this endpoint gets is weight / sum of weights. */
  weight: number;
  /** Statuses that count as success; empty: any 2xx (gRPC: grpc-status 0, OK). */
  expect: number[];
}

/** The protocol the generator speaks to the target. */
export type Protocol = 'http1' | 'http2' | 'grpc';

/** The endpoint of a phase that names none: a GET of the target's path. */
export function defaultEndpoint(target: Target): EndpointSpec {
  return { name: target.path, method: 'GET', path: target.path, headers: {}, body: '', weight: 1, expect: [] };
}

/** Whether `status` is a success for an endpoint: one of its expected statuses, or 2xx (gRPC: 0) by default. */
export function statusCheck(endpoint: EndpointSpec, protocol: Protocol): (status: number) => boolean {
  if (endpoint.expect.length > 0) {
    const expected = new Set(endpoint.expect);
    return (status) => expected.has(status);
  }
  return protocol === 'grpc' ? (status) => status === 0 : (status) => status >= 200 && status < 300;
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** murmur3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A uniform number in [0, 1) for one request, from the seed and the request's place in the schedule (microseconds
 * after the phase's time zero): a counter-based PRNG keyed by the schedule. Every thread that handles a request
 * derives the same endpoint from the same time without sharing any state, and a run with the same seed and
 * schedule sends the same mix in the same order. The offset is rounded to 1/16 µs so that the rounding of
 * `t0 + offset - t0` does not change the draw.
 */
export function uniformAt(seed: number, offsetUs: number): number {
  bits[0] = Math.round(offsetUs * 16);
  const h = fmix32((fmix32(words[0]! ^ seed) + Math.imul(words[1]! ^ 0x9e3779b9, 0x27d4eb2d)) >>> 0);
  return h / 4294967296;
}

/** Chooses an endpoint per request by weight. */
export class EndpointPicker {
  private readonly cumulative: Float64Array;
  private readonly seed: number;
  /** The phase's time zero (µs): draws are keyed by the offset from it, the same in every run. */
  originUs = 0;

  constructor(endpoints: readonly Pick<EndpointSpec, 'weight'>[], seed: number) {
    const total = endpoints.reduce((sum, endpoint) => sum + endpoint.weight, 0);
    let running = 0;
    this.cumulative = Float64Array.from(endpoints, (endpoint) => (running += endpoint.weight / total));
    this.seed = seed >>> 0;
  }

  /** The endpoint (index) of the request intended at `intendedUs`. */
  pick(intendedUs: number): number {
    const last = this.cumulative.length - 1;
    if (last === 0) return 0;
    const u = uniformAt(this.seed, intendedUs - this.originUs);
    for (let i = 0; i < last; i++) if (u < this.cumulative[i]!) return i;
    return last;
  }
}

/** The HTTP/1.1 bytes of one endpoint's request: written as they are for every request. */
export function http1Request(target: Target, endpoint: EndpointSpec, userAgent: string): Buffer {
  const hostHeader = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
  const body = Buffer.from(endpoint.body, 'base64');
  const extra = Object.entries(endpoint.headers)
    .filter(([name]) => name !== 'host' && name !== 'content-length')
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const has = (name: string): boolean => name in endpoint.headers;
  const head =
    `${endpoint.method} ${endpoint.path} HTTP/1.1\r\nHost: ${hostHeader}\r\n` +
    (has('user-agent') ? '' : `User-Agent: ${userAgent}\r\n`) +
    (has('accept') ? '' : 'Accept: */*\r\n') +
    extra +
    (body.length > 0 || endpoint.method === 'POST' || endpoint.method === 'PUT' || endpoint.method === 'PATCH' ? `Content-Length: ${body.length}\r\n` : '') +
    '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}
