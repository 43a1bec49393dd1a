import { z } from 'zod';
import { scenarioSchema } from './schema.ts';

/**
 * What a schema (the scenario's unless another is given, e.g. the fleet file's) allows at a path, for hints: the keys
 * of a mapping, a missing key's possible values.
 */

type JsonSchema = { [key: string]: unknown };

const isSchema = (value: unknown): value is JsonSchema => typeof value === 'object' && value !== null && !Array.isArray(value);

const cached = new WeakMap<z.ZodType, JsonSchema>();
function inputSchema(schema: z.ZodType): JsonSchema {
  let json = cached.get(schema);
  if (json === undefined) {
    json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
    cached.set(schema, json);
  }
  return json;
}

/** The schema itself and its alternatives: `oneOf` (discriminated unions) and, with `anyOf`, plain unions too. */
function alternatives(schema: JsonSchema, anyOf = true): JsonSchema[] {
  const options = [anyOf ? schema.anyOf : undefined, schema.oneOf].flatMap((list) => (Array.isArray(list) ? list.filter(isSchema) : []));
  return [schema, ...options.flatMap((option) => alternatives(option, anyOf))];
}

/** Every (sub)schema that can describe the value at `path`, the last level's plain unions expanded or not. */
function schemasAt(root: z.ZodType, path: readonly (string | number)[], anyOf = true): JsonSchema[] {
  let current = [inputSchema(root)];
  for (const key of path) {
    current = current.flatMap((schema) => alternatives(schema)).flatMap((schema) => {
      const next = typeof key === 'number' ? schema.items : isSchema(schema.properties) ? schema.properties[key] : undefined;
      return isSchema(next) ? [next] : [];
    });
  }
  return current.flatMap((schema) => alternatives(schema, anyOf));
}

/** Keys a mapping at `path` may have, in schema order. */
export function knownKeys(path: readonly (string | number)[], root: z.ZodType = scenarioSchema): string[] {
  const keys = schemasAt(root, path).flatMap((schema) => (isSchema(schema.properties) ? Object.keys(schema.properties) : []));
  return [...new Set(keys)];
}

/** Values the schema allows or shows for `path`, for a hint such as `add kind: Scenario` or `e.g. name: quickstart`. */
export function namedValues(path: readonly (string | number)[], root: z.ZodType = scenarioSchema): { allowed: string[]; examples: string[] } {
  // Not into plain unions: the `const: 0` of a duration's bare-number branch is no value to suggest.
  const schemas = schemasAt(root, path, false);
  const allowed = schemas.flatMap((schema) => {
    if (schema.const !== undefined) return [schema.const];
    return Array.isArray(schema.enum) ? (schema.enum as unknown[]) : [];
  });
  const examples = schemas.flatMap((schema) => (Array.isArray(schema.examples) ? (schema.examples as unknown[]) : []));
  return { allowed: [...new Set(allowed.map(String))], examples: [...new Set(examples.map(String))] };
}
