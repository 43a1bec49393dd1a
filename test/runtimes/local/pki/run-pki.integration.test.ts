import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunPki } from '../../../../src/runtimes/local/pki/run-pki.ts';
import { createWorkDir, type WorkDir } from '../../../../src/runtimes/local/work-dir.ts';

let dir: WorkDir | undefined;
afterEach(async () => dir?.remove());

describe('the per-run PKI', () => {
  it('writes keys 0600 in a 0700 directory, and PEM files OpenSSL reads', async () => {
    dir = createWorkDir('20261122-000000-abcd', 'sidecar');
    const pki = await createRunPki(dir.path, '20261122-000000-abcd', 'sidecar', ['client-sidecar', 'server-sidecar']);
    const server = pki.identity('server-sidecar');
    expect(statSync(dir.path).mode & 0o777).toBe(0o700);
    expect(statSync(server.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(server.bundleFile).mode & 0o777).toBe(0o600);
    expect(server.dnsName).toBe('server-sidecar.sidecar.meshtax.local');
    // The bundle is two PEM blocks, each on its own lines.
    expect(readFileSync(server.bundleFile, 'utf8')).toMatch(/-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n/);
    const verify = execFileSync('openssl', ['verify', '-CAfile', pki.caFile, server.certFile], { encoding: 'utf8' });
    expect(verify.trim()).toBe(`${server.certFile}: OK`);
    const text = execFileSync('openssl', ['x509', '-in', server.certFile, '-noout', '-ext', 'subjectAltName,extendedKeyUsage'], { encoding: 'utf8' });
    expect(text).toContain('DNS:server-sidecar.sidecar.meshtax.local');
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(() => pki.identity('nobody')).toThrow(/no certificate was issued for identity 'nobody'/);
  });

  it('removes the directory and every key in it', async () => {
    dir = createWorkDir('20261122-000000-abcd', 'node-proxy');
    await createRunPki(dir.path, '20261122-000000-abcd', 'node-proxy', ['node-a']);
    writeFileSync(path.join(dir.path, 'extra.cfg'), 'x');
    await dir.remove();
    expect(() => statSync(dir!.path)).toThrow(/ENOENT/);
    await dir.remove();
  });
});
