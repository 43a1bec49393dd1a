/** How a value from a scenario file is quoted in messages. */

/** `'abc'`, `5`, `true`, `null (an empty value)`, `a list`, `a mapping`. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'string') return value.length > 40 ? `'${value.slice(0, 37)}...'` : `'${value}'`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** `load.rates[1]`, `metadata.name`; `(top level)` for the empty path. */
export function showPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
}
