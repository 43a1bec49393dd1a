import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newRunId } from '../../src/results/run-id.ts';
import { writeRunFile } from '../../src/results/run-file.ts';
import { RUN_SCHEMA_VERSION, runSchema, type RunDocument } from '../../src/results/schema.ts';
import { tempDir } from '../helpers/cli.ts';
import { localDescription } from '../helpers/runtime-descriptions.ts';

const run: RunDocument = {
  schemaVersion: RUN_SCHEMA_VERSION,
  runId: '20261122-034501-a1b2',
  startedAt: '2026-11-22T03:45:01.000Z',
  finishedAt: null,
  status: 'running',
  tool: { name: 'meshtax', version: '0.1.0' },
  environment: {
    node: 'v24.0.0',
    os: { platform: 'linux', release: '6.1', arch: 'x64' },
    cpus: { count: 2, model: 'cpu' },
    memoryBytes: 1024,
    loadAverage: [0, 0, 0],
    runtime: localDescription(),
  },
  scenario: {},
  scenarioSource: 'scenarios/quickstart.yaml',
  warnings: [],
  phases: [],
  failures: [],
  comparisons: [],
  thresholds: [],
};

describe('run.json', () => {
  it('is written whole, with no temporary file left beside it', async () => {
    const dir = tempDir();
    const file = await writeRunFile(dir, run);
    await writeRunFile(dir, { ...run, status: 'completed', finishedAt: '2026-11-22T03:46:01.000Z' });
    expect(readdirSync(dir)).toEqual(['run.json']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ status: 'completed' });
    expect(path.basename(file)).toBe('run.json');
  });

  it('has run ids that sort by time and fit a Kubernetes namespace name with a mode', () => {
    const id = newRunId(new Date('2026-11-22T03:45:01.123Z'));
    expect(id).toMatch(/^20261122-034501-[0-9a-f]{4}$/);
    expect(`meshtax-${id}-istio-waypoint`.length).toBeLessThanOrEqual(63);
  });

  it('is described by the committed JSON Schema, which rejects unknown fields', () => {
    const json = JSON.parse(readFileSync('schemas/run.schema.json', 'utf8')) as Record<string, unknown>;
    const fromFile = z.fromJSONSchema(json);
    expect(fromFile.safeParse(run).success).toBe(true);
    expect(fromFile.safeParse({ ...run, extra: 1 }).success).toBe(false);
    expect(runSchema.safeParse({ ...run, status: 'exploded' }).success).toBe(false);
  });
});
