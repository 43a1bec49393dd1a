import { writeFile } from 'node:fs/promises';
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
  readonly caFile: string;
  identity(name: string): IdentityFiles;
}

/**
 * A per-run CA and one certificate per identity, written into `dir` (the mode's 0700 work directory, which the
 * runtime removes). Identities are named per mode (`client-sidecar`, `node-a`, …) and their DNS names carry the mode.
 */
export async function createRunPki(dir: string, runId: string, mode: string, identities: readonly string[]): Promise<RunPki> {
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
    caFile,
    identity: (name) => {
      const found = files.get(name);
      if (!found) throw new Error(`no certificate was issued for identity '${name}'`);
      return found;
    },
  };
}
