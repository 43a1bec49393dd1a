import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { staleSchemas } from '../../scripts/gen-schemas.ts';

const file = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const jsonSchema = JSON.parse(file('schemas/scenario.schema.json')) as {
  $id: string;
  properties: { runtime: { enum: string[] }; load: { additionalProperties: boolean; properties: { duration: { description: string } } } };
};

it('is what scripts/gen-schemas.ts generates', () => {
  expect(staleSchemas()).toEqual([]);
});

it('rejects unknown keys, lists the runtimes and documents units', () => {
  expect(jsonSchema.$id).toBe('https://meshtax.dev/schemas/scenario.schema.json');
  expect(jsonSchema.properties.runtime.enum).toEqual(['local', 'kubernetes']);
  expect(jsonSchema.properties.load.additionalProperties).toBe(false);
  expect(jsonSchema.properties.load.properties.duration.description).toBe('Measured window per phase, as 20s or 1m30s; 1s to 24h');
});

it('accepts quickstart.yaml and rejects a misspelled key, as a JSON Schema validator reads it', () => {
  // zod's JSON Schema reader builds a validator from the file alone, independent of src/scenario/schema.ts.
  const validator = z.fromJSONSchema(jsonSchema as Parameters<typeof z.fromJSONSchema>[0]);
  const quickstart: unknown = parse(file('scenarios/quickstart.yaml'));
  expect(validator.safeParse(quickstart).success).toBe(true);
  const misspelled = { ...(quickstart as object), load: { durration: '5s' } };
  expect(validator.safeParse(misspelled).success).toBe(false);
});
