import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TOOL } from '../../../tool.ts';
import { startChild } from '../child.ts';
import { script } from '../scripts.ts';
import type { ProxyImplementation } from './implementation.ts';

/** Spec names become file names in the work directory. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * meshtax's own Node proxy (builtin-proxy.ts), for machines without HAProxy or with `local.proxy: builtin`. Each
 * spec runs as one process; start() writes the spec beside the mode's other files and resolves once the process
 * reports every listener bound, or rejects with the tail of its stderr. With `netns` it runs in that network
 * namespace.
 */
export const builtinProxy: ProxyImplementation = {
  identity: { kind: 'builtin', version: `meshtax ${TOOL.version} on Node ${process.version}` },
  async start(spec, workDir, signal, netns) {
    if (!SAFE_NAME.test(spec.name)) {
      throw new Error(`proxy name '${spec.name}' is not usable as a file name (letters, digits, '.', '_', '-')`);
    }
    const specFile = path.join(workDir, `${spec.name}.json`);
    await writeFile(specFile, `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600 });
    // writeFile's mode applies only to a new file; a rewritten one keeps whatever mode it had.
    await chmod(specFile, 0o600);
    const args = [script('proxy/builtin-proxy'), '--spec', specFile];
    // Readiness is the process's own report that every listener is bound, so it holds inside a namespace too.
    return startChild(`builtin proxy ${spec.name}`, process.execPath, args, { signal, netns });
  },
};
