import { Connection, type ConnectionEvents } from './connection.ts';
import { http1Request, type EndpointPicker, type EndpointSpec } from './endpoints.ts';
import { H2Connection, h2Requests } from './h2/session.ts';
import type { Lane } from './lane.ts';
import type { Target } from './target.ts';
import type { PhaseSpec } from './types.ts';

/**
 * The lanes of one worker's share of connections: one per HTTP/1.1 connection, or `streams` per HTTP/2
 * connection (HTTP/2 and gRPC).
 */
export function createLanes(
  spec: PhaseSpec,
  connections: number,
  target: Target,
  endpoints: readonly EndpointSpec[],
  picker: EndpointPicker,
  userAgent: string,
  events: ConnectionEvents,
): Lane[] {
  const protocol = spec.protocol ?? 'http1';
  if (protocol === 'http1') {
    const requests = endpoints.map((endpoint) => http1Request(target, endpoint, userAgent));
    return Array.from({ length: connections }, (_, i) => new Connection(i, target, requests, picker, events));
  }
  const streams = spec.streams ?? 1;
  const requests = h2Requests(endpoints, protocol === 'grpc', userAgent);
  return Array.from({ length: connections }, (_, i) => new H2Connection(i * streams, streams, target, requests, picker, protocol === 'grpc', events)).flatMap(
    (connection) => connection.lanes,
  );
}
