import { hostCommand, hostCommandSync } from './host-command.ts';
import { ruleComment } from './names.ts';

/**
 * Transparent interception the way sidecar meshes do it: a nat OUTPUT rule in the root namespace (the client pod)
 * sends TCP for one pod address and port to a local proxy port instead. Every rule matches a single
 * 169.254.77.x/32 destination and carries the comment `meshtax:<runId>`; clean-up deletes rules by that comment,
 * read back from iptables-save, never by a spec remembered or guessed.
 */

/** Wait this many seconds for the xtables lock when another program is changing rules. */
const LOCK_WAIT_S = '5';

export interface Redirect {
  /** The intercepted pod address, e.g. 169.254.77.2. */
  destination: string;
  /** The intercepted port (the app's). */
  port: number;
  /** The local proxy port traffic goes to instead (REDIRECT sends it to 127.0.0.1). */
  toPort: number;
}

export function redirectRuleArgs(runId: string, redirect: Redirect): string[] {
  if (!/^169\.254\.77\.\d{1,3}$/.test(redirect.destination)) {
    throw new Error(`refusing to redirect ${redirect.destination}: only 169.254.77.0/24 pod addresses are intercepted`);
  }
  return [
    '-d',
    `${redirect.destination}/32`,
    '-p',
    'tcp',
    '--dport',
    String(redirect.port),
    '-m',
    'comment',
    '--comment',
    ruleComment(runId),
    '-j',
    'REDIRECT',
    '--to-ports',
    String(redirect.toPort),
  ];
}

export async function addRedirect(runId: string, redirect: Redirect): Promise<void> {
  await hostCommand('iptables', ['-w', LOCK_WAIT_S, '-t', 'nat', '-A', 'OUTPUT', ...redirectRuleArgs(runId, redirect)]);
}

/**
 * Deletes the run's nat rules (only those for `destination`, when given), found by their comment in
 * `iptables-save -t nat`. Returns how many it deleted.
 */
export async function removeRules(runId: string, destination?: string): Promise<number> {
  const rules = runRules(await hostCommand('iptables-save', ['-t', 'nat']), runId, destination);
  for (const rule of rules) await hostCommand('iptables', ['-w', LOCK_WAIT_S, '-t', 'nat', ...rule]);
  return rules.length;
}

/** removeRules for a process that is exiting: synchronous, and never throws. */
export function removeRulesSync(runId: string, destination?: string): void {
  const saved = hostCommandSync('iptables-save', ['-t', 'nat']);
  if (saved === undefined) return;
  for (const rule of runRules(saved, runId, destination)) {
    hostCommandSync('iptables', ['-w', LOCK_WAIT_S, '-t', 'nat', ...rule]);
  }
}

/**
 * The `-D <chain> …` argument lists that delete the rules of `iptables-save` output whose comment is exactly the
 * run's (and whose destination is `destination`/32, when given).
 */
export function runRules(saved: string, runId: string, destination?: string): string[][] {
  const comment = ruleComment(runId);
  const rules: string[][] = [];
  for (const line of saved.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const words = splitRule(line);
    const commentAt = words.indexOf('--comment');
    if (commentAt < 0 || words[commentAt + 1] !== comment) continue;
    if (destination !== undefined) {
      const destinationAt = words.indexOf('-d');
      if (destinationAt < 0 || words[destinationAt + 1] !== `${destination}/32`) continue;
    }
    rules.push(['-D', ...words.slice(1)]);
  }
  return rules;
}

/** Words of an iptables-save rule line; iptables-save double-quotes a word with spaces and backslash-escapes quotes. */
export function splitRule(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '\\' && i + 1 < line.length) word += line[++i];
      else if (char === '"') quoted = false;
      else word += char;
    } else if (char === '"') {
      quoted = true;
      inWord = true;
    } else if (char === ' ' || char === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
