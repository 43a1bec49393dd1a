import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.ts';
import { syntheticQuickstart, syntheticRunId } from '../helpers/synthetic-runs.ts';

interface Workflow {
  jobs: Record<string, { steps: { name?: string; run?: string; env?: Record<string, string> }[] }>;
}

const MESHTAX = path.resolve('bin/meshtax.js');

/** The documented nightly workflows must keep naming commands, flags and files that exist. */
describe.each(['docs/ci/nightly-local.yml', 'docs/ci/nightly-kind.yml'])('%s', (file) => {
  const workflow = parse(readFileSync(file, 'utf8')) as Workflow;
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

  it('runs the benchmark, keeps the results and gates on meshtax compare', () => {
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/npx meshtax compare \$\(ls history\/\*\/run\.json \| tail -n 7\) results\/\*\/run\.json/);
    expect(runs).toContain('--max-regression p99-delta=+25%');
  });

  it('gates against the latest seven earlier nights and keeps seven, this night included', () => {
    // The workflow's own shell steps, run in a scratch directory on synthetic nights (meshtax in place of npx).
    const dir = tempDir();
    const night = (folder: string, day: number, seed: number): void => {
      const runDir = path.join(dir, folder, `202611${String(day).padStart(2, '0')}-031700-abcd`);
      mkdirSync(runDir, { recursive: true });
      writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(syntheticQuickstart(seed)));
    };
    for (let day = 10; day < 20; day++) night('history', day, 200 + day);
    night('results', 20, 300);
    const script = (name: string): string => steps.find((step) => step.name === name)!.run!.replaceAll('npx meshtax', `node ${MESHTAX}`);
    const bash = (text: string) => spawnSync('bash', ['-euo', 'pipefail', '-c', text], { cwd: dir, encoding: 'utf8' });
    const compare = bash(script('Compare with the earlier nights'));
    expect(compare.status, compare.stderr).toBe(0);
    expect(compare.stdout).toMatch(/prediction interval from the 7 base runs' means/);
    expect(compare.stdout).toContain(`base ${[213, 214, 215, 216, 217, 218, 219].map(syntheticRunId).join(', ')} → candidate ${syntheticRunId(300)}`);
    const keep = bash(script('Keep this night with the earlier ones'));
    expect(keep.status, keep.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'history')).map((name) => name.slice(0, 8))).toEqual(
      ['20261114', '20261115', '20261116', '20261117', '20261118', '20261119', '20261120'],
    );
  });

  it('names scenarios and scripts that exist and validate', async () => {
    const text = readFileSync(file, 'utf8');
    const scenarios = [...text.matchAll(/scenarios\/[\w/-]+\.yaml/g)].map((m) => m[0]);
    expect(scenarios.length).toBeGreaterThan(0);
    for (const scenario of scenarios) {
      const result = await runCli(['validate', scenario]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    for (const script of [...text.matchAll(/scripts\/[\w-]+\.sh/g)].map((m) => m[0])) expect(existsSync(script)).toBe(true);
  });

  it('passes --max-regression limits that meshtax compare accepts', async () => {
    const line = steps.map((s) => s.run ?? '').find((run) => run.includes('meshtax compare'))!;
    const limits = [...line.matchAll(/--max-regression (\S+)/g)].map((m) => m[1]!);
    // Limits are checked before the files are read (both at once): complaining about a missing file means every limit passed.
    const result = await runCli(['compare', 'missing-a.json', 'missing-b.json', ...limits.flatMap((l) => ['--max-regression', l])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^meshtax: cannot read missing-[ab]\.json: ENOENT/);
  });
});
