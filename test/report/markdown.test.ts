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

  it('names the proxy, marks n.s. deltas and footnotes missing intervals', () => {
    const text = markdownReport(fixtureRun);
    expect(text).toContain('proxy: envoy 1.31.2 (mTLS on)');
    expect(text).toContain('**sidecar** adds +167 µs at p50 and +4.20 ms at p99 at 1000 rps');
    expect(text).toContain('+167 µs [120, 210]');
    expect(text).toContain('+30 µs [-10, 60] (n.s.)');
    expect(text).toContain('+200 µs¹');
    expect(text).toContain('¹ one repetition: no interval');
    expect(text).not.toContain('\u0001');
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
