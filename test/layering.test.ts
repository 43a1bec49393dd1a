import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUNTIME_NAMES } from '../src/runtimes/registry.ts';

/**
 * The layering of src/, read from the source text: core depends on nothing else in src/; commands and reports reach
 * a runtime only through the registry and never branch on a runtime's name; a runtime never imports the pipeline
 * that drives it; every deliberate error carries its exit code through core's base class.
 */
const SRC = path.resolve(import.meta.dirname, '../src');

interface SourceFile {
  /** Path under src/, with forward slashes, e.g. `cli/run.ts`. */
  name: string;
  text: string;
  /** What its relative imports (static, dynamic and re-exports) resolve to, as paths under src/. */
  imports: string[];
}

const IMPORT = /(?:\bfrom|\bimport\s*\(|^import)\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

function sources(): SourceFile[] {
  const files = readdirSync(SRC, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.ts'));
  return files.map((entry) => {
    const file = path.join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    const imports = [...text.matchAll(IMPORT)].map((match) => path.relative(SRC, path.resolve(path.dirname(file), match[1]!)).split(path.sep).join('/'));
    return { name: path.relative(SRC, file).split(path.sep).join('/'), text, imports };
  });
}

const all = sources();
const under = (folder: string): SourceFile[] => all.filter((file) => file.name.startsWith(`${folder}/`));

/** Lines of files outside src/runtimes that match `pattern`, as `file:line: text`. */
function linesOutsideRuntimes(pattern: RegExp): string[] {
  return all
    .filter((file) => !file.name.startsWith('runtimes/'))
    .flatMap((file) => file.text.split('\n').flatMap((line, index) => (pattern.test(line) ? [`${file.name}:${index + 1}: ${line.trim()}`] : [])));
}

describe('the layers of src/', () => {
  it('reads the tree it judges', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all.find((file) => file.name === 'cli/run.ts')?.imports).toContain('runtimes/registry.ts');
    expect(under('core').length).toBeGreaterThan(5);
  });

  it('core imports nothing from src/ outside core', () => {
    const outside = under('core').flatMap((file) => file.imports.filter((target) => !target.startsWith('core/')).map((target) => `${file.name} → ${target}`));
    expect(outside).toEqual([]);
  });

  it("commands and reports import no runtime's own files, only the registry and the runtime contracts", () => {
    const runtimeFolders = RUNTIME_NAMES.map((name) => `runtimes/${name}/`);
    const reaching = [...under('cli'), ...under('report')].flatMap((file) =>
      file.imports.filter((target) => runtimeFolders.some((folder) => target.startsWith(folder))).map((target) => `${file.name} → ${target}`),
    );
    expect(reaching).toEqual([]);
  });

  it('no runtime imports the pipeline that drives it', () => {
    const reaching = under('runtimes').flatMap((file) => file.imports.filter((target) => target.startsWith('pipeline/')).map((target) => `${file.name} → ${target}`));
    expect(reaching).toEqual([]);
  });

  it('nothing outside src/runtimes branches on a runtime name or reads its description with a cast', () => {
    const names = RUNTIME_NAMES.join('|');
    const quoted = `['"\`](?:${names})['"\`]`;
    const comparison = new RegExp(`[!=]==?\\s*${quoted}|${quoted}\\s*[!=]==?|case\\s+${quoted}|runtime\\.name\\b`);
    expect(linesOutsideRuntimes(comparison)).toEqual([]);
    expect(linesOutsideRuntimes(/environment\??\.runtime\s+as\b/)).toEqual([]);
  });

  it('every error class extends the base that carries its exit code', () => {
    const plain = all
      .filter((file) => file.name !== 'core/errors.ts')
      .flatMap((file) => [...file.text.matchAll(/class (\w+) extends Error\b/g)].map((match) => `${file.name}: ${match[1]}`));
    expect(plain).toEqual([]);
  });
});
