import { Connection, type ConnectionEvents } from './connection.ts';
import { http1Request, type EndpointPicker, type EndpointSpec } from './endpoints.ts';
import type { RequestTemplate } from '../protocols/h2-frames.ts';
import { H2cLane, type StreamIds, type WriteGate } from './h2/h2c-lane.ts';
import { H2Connection, h2Requests } from './h2/session.ts';
import type { Lane } from './lane.ts';
import type { Target } from './target.ts';
import type { PhaseSpec } from './types.ts';

/** HTTP/2 in the clear with one stream per connection, on the generator's own framing (h2/h2c-lane.ts). */
export interface H2cPlan {
  /** Each endpoint's request frames. */
  templates: RequestTemplate[];
  ids: StreamIds;
  /** Present when the pacer thread writes requests on the sockets too. */
  gate?: WriteGate;
}

/**
 * The lanes of one worker's share of connections: one per HTTP/1.1 connection, one per h2c connection with one
 * stream (`h2c`), or `streams` per node:http2 connection (TLS, several streams, or requests over one frame).
 */
export function createLanes(
  spec: PhaseSpec,
  connections: number,
  target: Target,
  endpoints: readonly EndpointSpec[],
  picker: EndpointPicker,
  userAgent: string,
  events: ConnectionEvents,
  h2c?: H2cPlan,
): Lane[] {
  const protocol = spec.protocol ?? 'http1';
  if (protocol === 'http1') {
    const requests = endpoints.map((endpoint) => http1Request(target, endpoint, userAgent));
    return Array.from({ length: connections }, (_, i) => new Connection(i, target, requests, picker, events));
  }
  const grpc = protocol === 'grpc';
  if (h2c) return Array.from({ length: connections }, (_, i) => new H2cLane(i, target, h2c.templates, picker, grpc, events, h2c.ids, h2c.gate));
  const streams = spec.streams ?? 1;
  const requests = h2Requests(endpoints, grpc, userAgent);
  return Array.from({ length: connections }, (_, i) => new H2Connection(i * streams, streams, target, requests, picker, grpc, events)).flatMap(
    (connection) => connection.lanes,
  );
}
