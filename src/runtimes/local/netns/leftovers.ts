import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hostCommand } from './host-command.ts';
import { removeRules, splitRule } from './redirect.ts';
import { runTag } from './names.ts';
import { RUN_ID_SOURCE } from '../../../results/run-id.ts';
import { ownerAlive, readOwner, type Owner } from '../owner.ts';

/** What a local run left on this host when meshtax itself was killed (SIGKILL) before its clean-up. */
export interface LocalLeftovers {
  /** Temporary directories of the modes (proxy configuration, certificates and keys). */
  workDirs: string[];
  namespaces: string[];
  links: string[];
  /** Runs whose iptables rules were found, with how many rules each. */
  rules: { runId: string; count: number }[];
  /** Runs left alone because the meshtax process that owns them is still running. */
  skipped: { runId: string; pid: number }[];
}

export interface LeftoverOptions {
  /** Also network namespaces, veth pairs and iptables rules (needs root). */
  network: boolean;
  /** Also runs whose owner is alive. */
  force: boolean;
  /** Only find and report, delete nothing. */
  dryRun: boolean;
}

const COMMENT = new RegExp(`^meshtax:(${RUN_ID_SOURCE})$`);
const WORK_DIR = new RegExp(`^meshtax-(${RUN_ID_SOURCE})-`);

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
  return entries.filter((name) => (runId ? name.startsWith(`meshtax-${runId}-`) : WORK_DIR.test(name)));
}

/** Runs among the work directories whose owner process is still running, with that owner. */
function liveRuns(dir: string, workDirs: readonly string[]): Map<string, Owner> {
  const live = new Map<string, Owner>();
  for (const name of workDirs) {
    const runId = WORK_DIR.exec(name)?.[1];
    const owner = runId === undefined || live.has(runId) ? undefined : readOwner(path.join(dir, name));
    if (runId !== undefined && owner && ownerAlive(owner)) live.set(runId, owner);
  }
  return live;
}

/**
 * Removes what a killed local run left: its mode directories (keys among them) and, with `network` (root), a netns
 * run's namespaces, veth pairs and iptables rules; of one run, or of every run. A run whose owner (the meshtax
 * process that made it, recorded in its directories) is still running is skipped unless `force`: on a shared CI
 * runner that is another job's run. With `dryRun` nothing is deleted and the lists say what would be.
 */
export async function removeLocalLeftovers(runId: string | undefined, options: LeftoverOptions): Promise<LocalLeftovers> {
  const tmp = os.tmpdir();
  const found = leftoverWorkDirs(readdirSync(tmp), runId);
  const live = options.force ? new Map<string, Owner>() : liveRuns(tmp, found);
  const skipped = [...live].map(([id, owner]) => ({ runId: id, pid: owner.pid }));
  const liveTags = new Set([...live.keys()].map(runTag));
  const workDirs = found.filter((name) => !live.has(WORK_DIR.exec(name)?.[1] ?? ''));
  if (!options.dryRun) for (const name of workDirs) await rm(path.join(tmp, name), { recursive: true, force: true });
  if (!options.network) return { workDirs, namespaces: [], links: [], rules: [], skipped };
  const tag = runId === undefined ? undefined : runTag(runId);
  // Names carry the run's tag: mtx-<tag>-… for namespaces, mtx<tag>-… for interfaces.
  const namespaces = leftoverNamespaces(await hostCommand('ip', ['netns', 'list']), tag).filter((name) => !liveTags.has(name.slice(4, 8)));
  if (options.dryRun) {
    const links = leftoverLinks(await hostCommand('ip', ['-o', 'link', 'show']), tag).filter((name) => !liveTags.has(name.slice(3, 7)));
    const rules = [...ruleRunIds(await hostCommand('iptables-save', ['-t', 'nat']))]
      .filter(([id]) => (runId === undefined || id === runId) && !live.has(id))
      .map(([id, count]) => ({ runId: id, count }));
    return { workDirs, namespaces, links, rules, skipped };
  }
  for (const name of namespaces) await hostCommand('ip', ['netns', 'del', name]);
  // Deleting a namespace takes its end of each veth pair, and the kernel the other end; whatever is left goes now.
  const links: string[] = [];
  const remaining = async (): Promise<string[]> =>
    leftoverLinks(await hostCommand('ip', ['-o', 'link', 'show']), tag).filter((name) => !liveTags.has(name.slice(3, 7)));
  for (const name of await remaining()) {
    try {
      await hostCommand('ip', ['link', 'del', name]);
      links.push(name);
    } catch (error) {
      // The kernel may take the peer away between the listing and the deletion; only one still there is a failure.
      if ((await remaining()).includes(name)) throw error;
    }
  }
  const rules: LocalLeftovers['rules'] = [];
  for (const id of ruleRunIds(await hostCommand('iptables-save', ['-t', 'nat'])).keys()) {
    if ((runId !== undefined && id !== runId) || live.has(id)) continue;
    rules.push({ runId: id, count: await removeRules(id) });
  }
  return { workDirs, namespaces, links, rules, skipped };
}
