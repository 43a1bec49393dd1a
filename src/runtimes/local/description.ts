import { z } from 'zod';
import type { RuntimeFacts } from '../facts.ts';
import { echoWorkloadSchema } from '../workload-description.ts';

const modeNetworkSchema = z
  .strictObject({
    serverNamespace: z.string().describe('network namespace of the pod `server`'),
    serverIp: z.string(),
    waypointNamespace: z.string().optional().describe('network namespace of the waypoint, in modes that have one'),
    waypointIp: z.string().optional(),
    links: z.array(z.string()).describe('address blocks of the veth links, CIDR'),
    intercept: z.array(z.string()).describe('the iptables REDIRECT rules that sent traffic to the proxies'),
  })
  .describe('One mode\'s network namespaces, links and interception rules');

/** run.json's environment.runtime for runtime local: written by the local runtime, read back by every report. */
export const localDescriptionSchema = z
  .strictObject({
    name: z.literal('local'),
    bindAddress: z.string().describe('loopback address the servers and proxies listened on'),
    isolation: z.enum(['loopback', 'netns']).describe('loopback: every process on the host\'s loopback; netns: each pod in its own network namespace'),
    namespaces: z.record(z.string(), modeNetworkSchema).optional().describe('per mode, with isolation netns'),
    mtls: z.boolean().describe('whether the proxies spoke mutual TLS to each other'),
    proxy: z
      .strictObject({
        kind: z.enum(['haproxy', 'builtin', 'auto']).describe('auto (with version "not started") when no mode needed a proxy or the run ended before one started'),
        version: z.string(),
      })
      .describe('the proxy that carried the traffic in sidecars, node proxies and waypoints'),
    echoServer: z.string().optional().describe('the echo server answering the requests; absent when the workload is the team\'s own command'),
    workload: z
      .discriminatedUnion('kind', [
        echoWorkloadSchema,
        z.strictObject({
          kind: z.literal('command'),
          argv: z.array(z.string()).describe('the team\'s server, as workload.command ran it'),
          ready: z.string().describe('its readiness check'),
        }),
      ])
      .optional()
      .describe('the server under test; absent in runs written before it was recorded'),
    hostname: z.string(),
  })
  .describe('Runtime local: processes on this host');

export type LocalModeNetwork = z.infer<typeof modeNetworkSchema>;
export type LocalDescription = z.infer<typeof localDescriptionSchema>;

/** What the reports say about a local run: the proxy that carried the traffic and whether mTLS was on. */
export function localFacts(description: LocalDescription): RuntimeFacts {
  const { proxy, mtls } = description;
  const name = proxy.kind === 'builtin' ? 'built-in Node proxy' : proxy.kind;
  return {
    line: `proxy: ${name} ${proxy.version}`.trimEnd() + (mtls ? ' (mTLS on)' : ' (mTLS off)'),
    proxy: { kind: proxy.kind, version: proxy.version },
    mtls,
    keptNote: () => undefined,
  };
}
