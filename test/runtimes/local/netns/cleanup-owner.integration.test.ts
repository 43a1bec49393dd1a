import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkDir } from '../../../../src/runtimes/local/work-dir.ts';
import { runCli, tempDir } from '../../../helpers/cli.ts';
import { requireRoot } from './helpers.ts';

/**
 * `cleanup --runtime local` must not break a run that is still going. Each test gets its own TMPDIR (the CLI's
 * os.tmpdir() follows it), so its directories are the only ones the CLI sees; the namespaces are the test's own,
 * named with run tags no other run has.
 */
let tmp = '';
const namespaces: string[] = [];

function freeTag(): string {
  const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (;;) {
    const tag = randomBytes(2).toString('hex');
    if (!listed.includes(`mtx-${tag}-`)) return tag;
  }
}

function addNamespace(tag: string): string {
  const name = `mtx-${tag}-bl-srv`;
  execFileSync('ip', ['netns', 'add', name]);
  namespaces.push(name);
  return name;
}

function namespaceExists(name: string): boolean {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').some((line) => line.split(' ')[0] === name);
}

/** A run whose owner is this test process, alive: made as the runtime makes it. */
function liveRun(): { runId: string; dir: string; namespace: string } {
  const tag = freeTag();
  const runId = `20261202-000000-${tag}`;
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    const dir = createWorkDir(runId, 'baseline').path;
    return { runId, dir, namespace: addNamespace(tag) };
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
}

/** A run whose owner has exited: its owner record names a process that is gone. */
function deadRun(): { runId: string; dir: string; namespace: string } {
  const run = liveRun();
  const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  const pid = Number(gone.stdout.trim());
  writeFileSync(path.join(run.dir, 'owner.json'), JSON.stringify({ pid, startTime: '1' }));
  return run;
}

const cli = (args: string[]) => runCli(['cleanup', '--runtime', 'local', ...args], undefined, { TMPDIR: tmp });

describe('meshtax cleanup --runtime local and runs still going', () => {
  beforeAll(requireRoot);
  afterEach(() => {
    for (const name of namespaces.splice(0)) if (namespaceExists(name)) execFileSync('ip', ['netns', 'del', name]);
  });

  it('skips a run whose owner is alive unless --force', async () => {
    tmp = tempDir();
    const live = liveRun();
    const skipped = await cli(['--run-id', live.runId]);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toContain(`skipped run ${live.runId}: still running (pid ${process.pid}); --force removes it anyway`);
    expect(existsSync(live.dir)).toBe(true);
    expect(namespaceExists(live.namespace)).toBe(true);

    const forced = await cli(['--run-id', live.runId, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`deleted directory ${path.basename(live.dir)}`);
    expect(forced.stdout).toContain(`deleted network namespace ${live.namespace}`);
    expect(existsSync(live.dir)).toBe(false);
    expect(namespaceExists(live.namespace)).toBe(false);
  });

  it('removes a run whose owner has exited', async () => {
    tmp = tempDir();
    const dead = deadRun();
    const result = await cli(['--run-id', dead.runId]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`deleted directory ${path.basename(dead.dir)}`);
    expect(result.stdout).toContain(`deleted network namespace ${dead.namespace}`);
    expect(existsSync(dead.dir)).toBe(false);
    expect(namespaceExists(dead.namespace)).toBe(false);
  });

  it('--all --dry-run says what it would delete and what it skips, and deletes nothing', async () => {
    tmp = tempDir();
    const live = liveRun();
    const dead = deadRun();
    const result = await cli(['--all', '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`would delete directory ${path.basename(dead.dir)}`);
    expect(result.stdout).toContain(`would delete network namespace ${dead.namespace}`);
    expect(result.stdout).toContain(`skipped run ${live.runId}: still running (pid ${process.pid})`);
    expect(result.stdout).not.toContain(`would delete network namespace ${live.namespace}`);
    expect(result.stdout).not.toContain(`would delete directory ${path.basename(live.dir)}`);
    expect(result.stdout).not.toMatch(/^deleted /m);
    for (const dir of [live.dir, dead.dir]) expect(existsSync(dir)).toBe(true);
    for (const name of [live.namespace, dead.namespace]) expect(namespaceExists(name)).toBe(true);
  });

  it('rejects a run id that is not meshtax\'s before deleting anything', async () => {
    tmp = tempDir();
    const dir = path.join(tmp, 'meshtax-20261201-000000-zzzz-baseline-abcdef');
    mkdirSync(dir);
    const result = await cli(['--run-id', '20261201-000000-zzzz']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("meshtax: --run-id '20261201-000000-zzzz' is not a run id like 20261201-120000-ab12 (run.json's runId: date, time, 4 hex digits)\n");
    expect(readdirSync(tmp)).toEqual([path.basename(dir)]);
  });
});
