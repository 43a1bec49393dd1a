import { describe, expect, it } from 'vitest';
import { runSchema } from '../../src/results/schema.ts';
import { MAX_MARKDOWN_CHARS, markdownReport } from '../../src/report/markdown.ts';
import { fixtureRun } from './fixture.ts';

describe('markdownReport', () => {
  it('uses a fixture that is a valid run.json', () => {
    expect(() => runSchema.parse(fixtureRun)).not.toThrow();
  });

  it('renders the fixture as report.md', async () => {
    await expect(markdownReport(fixtureRun)).toMatchFileSnapshot('__snapshots__/report.md');
  });

  it('names the proxy, marks deltas not significant, and footnotes missing intervals with the real reason', () => {
    const text = markdownReport(fixtureRun);
    expect(text).toContain('proxy: haproxy 2.8.5 (mTLS on)');
    expect(text).toContain('+167 µs [120, 210]');
    expect(text).toContain('+30 µs [-10, 60] (not significant)');
    // Both modes lack p99.9 for the same reason: one footnote, said once.
    expect(text.match(/— \(no interval¹\)/g)).toHaveLength(2);
    expect(text).not.toContain('²');
    expect(text).toContain('¹ 1,000 samples per repetition and 2,000 pooled, p99.9 needs 10,000: no estimate, no interval');
    expect(text).not.toContain('\u0001');
  });

  it('gives each headline delta its interval, and never says a mode "adds" a delta that is not significant', () => {
    const text = markdownReport(fixtureRun);
    expect(text).toContain(
      '- **sidecar** at 1000 rps: adds +167 µs [120, 210] at p50; adds +4.20 ms [3.90, 4.60] at p99; using 0.18 cores [0.18, 0.19] (0.18 per 1000 rps) and 17.9 MiB — _low reliability: 2 rounds_',
    );
    // ambient's p99 is −200 µs with [-900, 500]: no change can be claimed, in either direction.
    expect(text).toContain('- **ambient** at 1000 rps: no significant change at p50 (+30 µs [-10, 60], not significant); no significant change at p99 (-200 µs [-900, 500], not significant)');
    expect(text).not.toMatch(/adds -/);
  });

  it('shows low reliability beside the rounds', () => {
    expect(markdownReport(fixtureRun)).toMatch(/\| sidecar \| 1000 \| 2 \(low reliability\) \|/);
  });

  it('is deterministic', () => {
    expect(markdownReport(fixtureRun)).toBe(markdownReport(structuredClone(fixtureRun)));
  });

  it('stays under the comment limit with many phases, truncating the phase table with a note', () => {
    const many = structuredClone(fixtureRun);
    const template = many.phases[0]!;
    many.phases = Array.from({ length: 400 }, (_, i) => ({ ...template, repetition: i + 1 }));
    const text = markdownReport(many);
    expect(text.length).toBeLessThan(MAX_MARKDOWN_CHARS);
    expect(text).toContain('300 more phases not shown');
  });

  it('fits 100 phases in full', () => {
    const many = structuredClone(fixtureRun);
    const template = many.phases[0]!;
    many.phases = Array.from({ length: 100 }, (_, i) => ({ ...template, repetition: i + 1 }));
    const text = markdownReport(many);
    expect(text.length).toBeLessThan(65_000);
    expect(text).not.toContain('more phases not shown');
  });
});
