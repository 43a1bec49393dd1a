import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAuthority, identityDnsName, issueIdentity } from './certificates.ts';

/** Files of one proxy identity. Keys are written with mode 0600. */
export interface IdentityFiles {
  /** The name proxies present and verify (DNS SAN). */
  dnsName: string;
  certFile: string;
  keyFile: string;
  /** Certificate followed by key, the form HAProxy's `crt` takes. */
  bundleFile: string;
}

export interface RunPki {
  /** The run's own temporary directory (mode 0700) that holds every file. */
  readonly dir: string;
  readonly caFile: string;
  identity(name: string): IdentityFiles;
  /** Removes the directory and every key in it; safe to call twice. */
  remove(): Promise<void>;
}

/** Directories still on disk, removed synchronously if the process exits before remove() ran. */
const pending = new Set<string>();
process.on('exit', () => {
  for (const dir of pending) rmSync(dir, { recursive: true, force: true });
});

/**
 * A per-run CA and one certificate per identity, written under a fresh 0700 directory in the system temp dir.
 * Identities are named per mode (`client-sidecar`, `node-a`, …) and their DNS names carry the mode.
 */
export async function createRunPki(runId: string, mode: string, identities: readonly string[]): Promise<RunPki> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `meshtax-${runId}-${mode}-`));
  pending.add(dir);
  await chmod(dir, 0o700);
  const remove = async (): Promise<void> => {
    await rm(dir, { recursive: true, force: true });
    pending.delete(dir);
  };
  try {
    const authority = await createAuthority(runId);
    const caFile = path.join(dir, 'ca.pem');
    await writeFile(caFile, authority.certPem, { mode: 0o644 });
    const files = new Map<string, IdentityFiles>();
    for (const name of identities) {
      const dnsName = identityDnsName(name, mode);
      const pair = await issueIdentity(authority, dnsName);
      const certFile = path.join(dir, `${name}.crt`);
      const keyFile = path.join(dir, `${name}.key`);
      const bundleFile = path.join(dir, `${name}.pem`);
      await writeFile(certFile, pair.certPem, { mode: 0o644 });
      await writeFile(keyFile, pair.keyPem, { mode: 0o600 });
      await writeFile(bundleFile, `${pair.certPem}${pair.keyPem}`, { mode: 0o600 });
      files.set(name, { dnsName, certFile, keyFile, bundleFile });
    }
    return {
      dir,
      caFile,
      identity: (name) => {
        const found = files.get(name);
        if (!found) throw new Error(`no certificate was issued for identity '${name}'`);
        return found;
      },
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
