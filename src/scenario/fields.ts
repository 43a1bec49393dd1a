import { z } from 'zod';
import { showValue } from './show.ts';
import { DURATION_PATTERN, formatDuration, formatSize, parseDuration, parseSize, SIZE_PATTERN } from './units.ts';

/** Field builders for schema.ts: each says its allowed range in its messages and converts to the output unit. */

type Issues = { addIssue(issue: { code: 'custom'; message: string; path?: (string | number)[]; params?: { hint: string } }): void };

/** Adds a problem, with a hint when one is known (load.ts shows `params.hint` as the problem's hint). */
export function addProblem(ctx: Issues, message: string, hint?: string, path?: (string | number)[]): void {
  ctx.addIssue({ code: 'custom', message, ...(hint === undefined ? {} : { params: { hint } }), ...(path === undefined ? {} : { path }) });
}

function rangeMessage(min: number, max: number, format: (n: number) => string): string {
  return min === 0 ? `must be at most ${format(max)}` : `must be from ${format(min)} to ${format(max)}`;
}

/**
 * A duration written `250us`, `1.5ms`, `20s`, `1m30s` or `0`; output in milliseconds. `expected` says what is wanted
 * when the value is not a duration at all.
 */
export function duration(range: { min: number; max: number }, expected = 'expected a duration such as 250ms, 20s or 1m30s') {
  const allowed = rangeMessage(range.min, range.max, formatDuration);
  return z
    .union([z.string().meta({ pattern: DURATION_PATTERN }), z.number().meta({ const: 0 })], {
      error: (iss) => `${expected}; got ${showValue(iss.input)}`,
    })
    .transform((value, ctx) => {
      if (typeof value === 'number' && value !== 0) {
        addProblem(ctx, `${expected}; got ${value}, a number without a unit`, `write ${value}ms or ${value}s`);
        return z.NEVER;
      }
      let ms: number;
      try {
        ms = parseDuration(String(value));
      } catch (error) {
        addProblem(ctx, (error as Error).message);
        return z.NEVER;
      }
      if (ms < range.min || ms > range.max) {
        addProblem(ctx, `${allowed}; got ${formatDuration(ms)}`);
        return z.NEVER;
      }
      return ms;
    });
}

/** A size written as whole bytes or `512B`, `4KiB`, `4KB` (4000), `1MiB`; output in bytes. */
export function size(range: { min: number; max: number }, expected = 'expected a size such as 1024, 512B, 4KiB or 1MiB') {
  const allowed = rangeMessage(range.min, range.max, (n) => (n < 1024 ? `${n} bytes` : `${formatSize(n)} (${n} bytes)`));
  return z
    .union([z.number().meta({ type: 'integer', minimum: range.min, maximum: range.max }), z.string().meta({ pattern: SIZE_PATTERN })], {
      error: (iss) => `${expected}; got ${showValue(iss.input)}`,
    })
    .transform((value, ctx) => {
      let bytes: number;
      try {
        bytes = parseSize(value);
      } catch (error) {
        addProblem(ctx, (error as Error).message);
        return z.NEVER;
      }
      if (bytes < range.min || bytes > range.max) {
        addProblem(ctx, `${allowed}; got ${formatSize(bytes)}`);
        return z.NEVER;
      }
      return bytes;
    });
}

/** An integer from `min` to `max` inclusive. */
export function integer(min: number, max: number) {
  const error = (iss: { input?: unknown }) => `must be an integer from ${min} to ${max}; got ${showValue(iss.input)}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** A finite number from `min` to `max` inclusive; `expected` says so, e.g. `must be a fraction from 0 to 1`. */
export function number(min: number, max: number, expected: string) {
  const error = (iss: { input?: unknown }) => `${expected}; got ${showValue(iss.input)}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

/** A non-empty list in which each item appears once. */
export function uniqueList<T extends z.ZodType>(item: T, what: string) {
  return z
    .array(item)
    .min(1, { error: `must list at least one ${what}` })
    .superRefine((items, ctx) => {
      items.forEach((value, index) => {
        if (items.indexOf(value) !== index) addProblem(ctx, `${showValue(value)} is listed twice`, `list each ${what} once`, [index]);
      });
    })
    .meta({ uniqueItems: true });
}
