import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hostCommand } from './host-command.ts';
import { removeRules, splitRule } from './redirect.ts';
import { runTag } from './names.ts';

/** What a local run left on this host when meshtax itself was killed (SIGKILL) before its clean-up. */
export interface LocalLeftovers {
  /** Temporary directories of the modes (proxy configuration, certificates and keys). */
  workDirs: string[];
  namespaces: string[];
  links: string[];
  /** Runs whose iptables rules were found, with how many rules each. */
  rules: { runId: string; count: number }[];
}

const COMMENT = /^meshtax:(\d{8}-\d{6}-[0-9a-z]{4})$/;

/** Run ids named by the comments of meshtax's rules in `iptables-save -t nat` output. */
export function ruleRunIds(saved: string): Map<string, number> {
  const runs = new Map<string, number>();
  for (const line of saved.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const words = splitRule(line);
    const at = words.indexOf('--comment');
    const runId = at >= 0 ? COMMENT.exec(words[at + 1] ?? '')?.[1] : undefined;
    if (runId) runs.set(runId, (runs.get(runId) ?? 0) + 1);
  }
  return runs;
}

/** Network namespace names of `ip netns list` output that a netns run makes (`mtx-<tag>-…`), of one run or all. */
export function leftoverNamespaces(listed: string, tag?: string): string[] {
  return listed
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => (tag ? name.startsWith(`mtx-${tag}-`) : /^mtx-[0-9a-f]{4}-/.test(name)));
}

/** Interface names of `ip -o link show` output that a netns run makes (`mtx<tag>-…`), without their `@peer`. */
export function leftoverLinks(listed: string, tag?: string): string[] {
  const names: string[] = [];
  for (const line of listed.split('\n')) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    if (name && (tag ? name.startsWith(`mtx${tag}-`) : /^mtx[0-9a-f]{4}-/.test(name))) names.push(name);
  }
  return names;
}

/** Names of a run's mode directories (`meshtax-<runId>-<mode>-XXXXXX`) among `entries`, of one run or all. */
export function leftoverWorkDirs(entries: readonly string[], runId?: string): string[] {
  return entries.filter((name) => (runId ? name.startsWith(`meshtax-${runId}-`) : /^meshtax-\d{8}-\d{6}-[0-9a-z]{4}-/.test(name)));
}

/**
 * Removes what a killed local run left: its mode directories (keys among them) and, with `network` (root), a netns
 * run's namespaces, veth pairs and iptables rules; of one run, or of every run (which also breaks a run still going).
 */
export async function removeLocalLeftovers(runId: string | undefined, network: boolean): Promise<LocalLeftovers> {
  const workDirs = leftoverWorkDirs(readdirSync(os.tmpdir()), runId);
  for (const name of workDirs) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  if (!network) return { workDirs, namespaces: [], links: [], rules: [] };
  const tag = runId === undefined ? undefined : runTag(runId);
  const namespaces = leftoverNamespaces(await hostCommand('ip', ['netns', 'list']), tag);
  for (const name of namespaces) await hostCommand('ip', ['netns', 'del', name]);
  // Deleting a namespace takes its end of each veth pair, and the kernel the other end; whatever is left goes now.
  const links: string[] = [];
  for (const name of leftoverLinks(await hostCommand('ip', ['-o', 'link', 'show']), tag)) {
    try {
      await hostCommand('ip', ['link', 'del', name]);
      links.push(name);
    } catch (error) {
      // The kernel may take the peer away between the listing and the deletion; only one still there is a failure.
      if (leftoverLinks(await hostCommand('ip', ['-o', 'link', 'show']), tag).includes(name)) throw error;
    }
  }
  const rules: LocalLeftovers['rules'] = [];
  const found = ruleRunIds(await hostCommand('iptables-save', ['-t', 'nat']));
  for (const id of found.keys()) {
    if (runId !== undefined && id !== runId) continue;
    rules.push({ runId: id, count: await removeRules(id) });
  }
  return { workDirs, namespaces, links, rules };
}
