import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Fixture, HOST } from './fixture.ts';

describe('builtin proxy start', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.close());

  it('rejects naming the file when a certificate cannot be read', async () => {
    fixture = await Fixture.create();
    const pki = await fixture.pki(['node-b']);
    const missing = path.join(fixture.dir, 'missing.crt');
    const files = pki.identity('node-b');
    const start = fixture.proxy({
      name: 'node-b',
      listeners: [
        {
          name: 'inbound',
          mode: 'tcp',
          listen: await fixture.endpoint(),
          tls: { certFile: missing, keyFile: files.keyFile, bundleFile: files.bundleFile, caFile: pki.caFile },
          upstream: { host: HOST, port: 9 },
        },
      ],
    });

    await expect(start).rejects.toThrow(
      `builtin proxy node-b: listener 'inbound': cannot read the certificate ${missing}: ENOENT`,
    );
  });
});
