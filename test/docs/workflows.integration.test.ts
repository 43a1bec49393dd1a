import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

interface Workflow {
  jobs: Record<string, { steps: { run?: string; env?: Record<string, string> }[] }>;
}

/** The documented nightly workflows must keep naming commands, flags and files that exist. */
describe.each(['docs/ci/nightly-local.yml', 'docs/ci/nightly-kind.yml'])('%s', (file) => {
  const workflow = parse(readFileSync(file, 'utf8')) as Workflow;
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

  it('runs the benchmark, keeps the results and gates on meshtax compare', () => {
    const runs = steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/npx meshtax compare previous\/\*\/run\.json results\/\*\/run\.json/);
    expect(runs).toContain('--max-regression p99-delta=+25%');
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
