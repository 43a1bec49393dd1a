/**
 * What commands and reports may know about the runtime a run used, worked out by that runtime from its own
 * description in run.json: they print these and never look inside the description themselves.
 */
export interface RuntimeFacts {
  /** The line every report prints about what carried the traffic; undefined when the description holds too little to say. */
  line: string | undefined;
  /** The one proxy that carried the traffic (SMP's proxy_build, the settings compared between runs); undefined when there is none. */
  proxy: { kind: string; version: string } | undefined;
  /** Whether the proxies spoke mutual TLS; undefined when the runtime does not choose it. */
  mtls: boolean | undefined;
  /** What run `runId` left in place on purpose (run --keep) and how to remove it; undefined when nothing was kept. */
  keptNote(runId: string): string | undefined;
}
