import { decodeHistogram, encodeHistogram, mergeHistograms, summarize } from '../core/histogram.ts';
import type { EndpointSpec } from './endpoints.ts';
import type { Counts, EndpointMeasurement, EndpointReport } from './types.ts';

type Part = Pick<EndpointReport, 'counts'> & { latency: string; serviceTime: string };

/**
 * Each endpoint's measurement from its parts (worker threads, or generator pods): counts summed, histograms merged
 * exactly, percentiles from the merged histograms.
 */
export function mergeEndpoints(endpoints: readonly EndpointSpec[], parts: readonly (readonly Part[])[]): EndpointMeasurement[] {
  return endpoints.map((endpoint, i) => {
    const mine = parts.map((part) => part[i]).filter((part): part is Part => part !== undefined);
    const counts: Counts = { ok: 0, non2xx: 0, errors: 0, timeouts: 0 };
    for (const part of mine) {
      counts.ok += part.counts.ok;
      counts.non2xx += part.counts.non2xx;
      counts.errors += part.counts.errors;
      counts.timeouts += part.counts.timeouts;
    }
    const latency = mergeHistograms(mine.map((part) => decodeHistogram(part.latency)));
    const serviceTime = mergeHistograms(mine.map((part) => decodeHistogram(part.serviceTime)));
    return {
      name: endpoint.name,
      method: endpoint.method,
      path: endpoint.path,
      counts,
      latencyUs: summarize(latency),
      serviceTimeUs: summarize(serviceTime),
      histogram: encodeHistogram(latency),
      serviceTimeHistogram: encodeHistogram(serviceTime),
    };
  });
}

/** The parts of endpoint measurements already merged once (generator pods' phases), for a second merge. */
export function endpointParts(measured: readonly EndpointMeasurement[]): Part[] {
  return measured.map((endpoint) => ({ counts: endpoint.counts, latency: endpoint.histogram, serviceTime: endpoint.serviceTimeHistogram }));
}
