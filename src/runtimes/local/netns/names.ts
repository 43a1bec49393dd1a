/**
 * Names of what a netns run creates on the host. Everything carries the run: namespaces and interfaces the last
 * four hex digits of the run id (interface names have 15 characters at most), iptables rules the whole run id
 * in their comment, which is how clean-up finds them.
 */

import { RUN_ID_EXAMPLE, RUN_ID_PATTERN } from '../../../results/run-id.ts';

/** Short mode names, to fit interface names. */
const ABBREVIATIONS: Record<string, string> = {
  baseline: 'bl',
  'baseline-aa': 'aa',
  sidecar: 'sc',
  'node-proxy': 'np',
  'node-proxy-waypoint': 'npw',
};

/** Linux's limit on an interface name (IFNAMSIZ - 1). */
export const IFNAME_MAX = 15;

/** The part of the run id names carry: its random last four hex digits (run-id.ts holds the one rule for ids). */
export function runTag(runId: string): string {
  if (!RUN_ID_PATTERN.test(runId)) throw new Error(`'${runId}' is not ${RUN_ID_EXAMPLE}`);
  return runId.slice(-4);
}

export function modeAbbreviation(mode: string): string {
  const abbreviation = ABBREVIATIONS[mode];
  if (!abbreviation) throw new Error(`no network names for mode '${mode}'`);
  return abbreviation;
}

/** The comment every iptables rule of a run carries, and clean-up deletes by. */
export function ruleComment(runId: string): string {
  return `meshtax:${runId}`;
}

/** One end of a link: r = the root namespace (client pod, node A), s = the server pod, w = the waypoint. */
export type LinkEnd = 'r' | 's' | 'w';

/** The namespaces and interfaces of one mode. */
export interface ModeNames {
  /** `mtx-<tag>-<mode>-srv`: the server pod (echo server and its sidecar, or node B). */
  server: string;
  /** `mtx-<tag>-<mode>-wp`: the waypoint. */
  waypoint: string;
  /** Interface on end `from` of the link between `from` and `to`: `mtx<tag>-<mode>-<from><to>`. */
  link(from: LinkEnd, to: LinkEnd): string;
}

export function modeNames(runId: string, mode: string): ModeNames {
  const tag = runTag(runId);
  const abbreviation = modeAbbreviation(mode);
  return {
    server: `mtx-${tag}-${abbreviation}-srv`,
    waypoint: `mtx-${tag}-${abbreviation}-wp`,
    link: (from, to) => {
      const name = `mtx${tag}-${abbreviation}-${from}${to}`;
      if (name.length > IFNAME_MAX) throw new Error(`interface name ${name} is longer than ${IFNAME_MAX} characters`);
      return name;
    },
  };
}
