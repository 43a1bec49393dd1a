/**
 * Writes schemas/*.schema.json from the zod schemas they describe (`npm run schemas`); with --check, writes nothing
 * and exits 1 when a committed file differs from what would be generated (for CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { fleetSchema } from '../src/estimate/fleet-schema.ts';
import { estimateResultSchema } from '../src/estimate/result-schema.ts';
import { runSchema } from '../src/results/schema.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';
import { startupSchema } from '../src/startup/schema.ts';

type SchemaEntry = { file: string; title: string; schema: z.ZodType };

/** One line per generated file. */
export const SCHEMAS: readonly SchemaEntry[] = [
  { file: 'scenario.schema.json', title: 'meshtax scenario', schema: scenarioSchema },
  { file: 'run.schema.json', title: 'meshtax run results (run.json)', schema: runSchema },
  { file: 'fleet.schema.json', title: 'meshtax fleet (meshtax estimate --fleet)', schema: fleetSchema },
  { file: 'estimate.schema.json', title: 'meshtax estimate result (--format json)', schema: estimateResultSchema },
  { file: 'startup.schema.json', title: 'meshtax startup result (startup.json)', schema: startupSchema },
];

const SCHEMAS_DIR = new URL('../schemas/', import.meta.url);
const ID_BASE = 'https://meshtax.dev/schemas/';

/** The JSON Schema text for an entry: what editors validate scenario files against (the input form). */
export function render(entry: SchemaEntry): string {
  const { $schema, ...rest } = z.toJSONSchema(entry.schema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ $schema, $id: `${ID_BASE}${entry.file}`, title: entry.title, ...rest }, null, 2)}\n`;
}

function committed(file: string): string | undefined {
  try {
    return readFileSync(new URL(file, SCHEMAS_DIR), 'utf8');
  } catch {
    return undefined;
  }
}

/** Files under schemas/ that are missing or differ from what would be generated. */
export function staleSchemas(): string[] {
  return SCHEMAS.filter((entry) => committed(entry.file) !== render(entry)).map((entry) => `schemas/${entry.file}`);
}

function main(args: readonly string[]): number {
  if (args.includes('--check')) {
    const stale = staleSchemas();
    for (const file of stale) process.stderr.write(`${file} is out of date; run npm run schemas\n`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const entry of SCHEMAS) {
    writeFileSync(new URL(entry.file, SCHEMAS_DIR), render(entry));
    process.stdout.write(`wrote schemas/${entry.file}\n`);
  }
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
