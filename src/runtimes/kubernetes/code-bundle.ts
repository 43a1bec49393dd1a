import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MeshtaxError } from '../../core/errors.ts';

/** The bundled in-cluster code (scripts/bundle-pod.ts): file name → content, for the meshtax-code ConfigMap. */
export type CodeBundle = Record<string, string>;

export const CODE_FILES = ['echo.js', 'loadgen.js', 'prober.js', 'worker.js', 'pacer-thread.js', 'package.json'] as const;
/** Where pods mount the ConfigMap. */
export const CODE_MOUNT = '/meshtax';

/** src/runtimes/kubernetes/ and dist/runtimes/kubernetes/ both sit three levels below the package root. */
const podDir = new URL('../../../dist/pod/', import.meta.url);

export class CodeBundleMissing extends MeshtaxError {}

export function loadCodeBundle(): CodeBundle {
  const bundle: CodeBundle = {};
  for (const name of CODE_FILES) {
    try {
      bundle[name] = readFileSync(new URL(name, podDir), 'utf8');
    } catch {
      throw new CodeBundleMissing(
        `the in-cluster code is not built (${new URL(name, podDir).pathname} is missing); run npm run build in the meshtax checkout`,
      );
    }
  }
  return bundle;
}

/** sha256 over the bundle's files (name, NUL, content, NUL, in CODE_FILES order): changes exactly when the code does. */
export function codeDigest(bundle: CodeBundle): string {
  const hash = createHash('sha256');
  for (const name of CODE_FILES) hash.update(`${name}\0${bundle[name] ?? ''}\0`);
  return `sha256:${hash.digest('hex')}`;
}
