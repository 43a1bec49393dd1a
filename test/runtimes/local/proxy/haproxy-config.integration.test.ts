import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHaproxyConfig } from '../../../../src/runtimes/local/proxy/haproxy-config.ts';
import type { HaproxyImplementation } from '../../../../src/runtimes/local/proxy/haproxy.ts';
import { createRunPki, type RunPki } from '../../../../src/runtimes/local/pki/run-pki.ts';
import type { Listener, ProxySpec } from '../../../../src/runtimes/local/proxy/types.ts';
import { clientTls, serverTls } from './fixture.ts';
import { checkConfig, requireHaproxy, tempDir } from './haproxy-helpers.ts';

let haproxy: HaproxyImplementation;
let dir: string;
let pki: RunPki;

beforeAll(async () => {
  haproxy = await requireHaproxy();
  dir = tempDir();
  pki = await createRunPki(dir, 'haproxy-test', 'test', ['client-sidecar', 'server-sidecar']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SERVER_NAME = 'server-sidecar.test.meshtax.local';
/** What `haproxy -dW -c` prints for a configuration without errors or warnings. */
const VALID = { ok: true, output: 'Configuration file is valid' };

function spec(...listeners: Listener[]): ProxySpec {
  return { name: 'client-sidecar', listeners };
}

function listener(mode: Listener['mode'], extra: Partial<Listener> = {}): Listener {
  return {
    name: 'outbound',
    mode,
    listen: { host: '127.0.0.1', port: 15001 },
    upstream: { host: '127.0.0.1', port: 15002 },
    ...extra,
  };
}

function lines(text: string): string[] {
  return text.split('\n').map((line) => line.trim());
}

describe('renderHaproxyConfig', () => {
  it('writes one foreground thread, a connection limit, no logging and the timeouts', () => {
    const text = renderHaproxyConfig(spec(listener('http')));
    const all = lines(text);
    expect(all).toContain('nbthread 1');
    expect(all).toContain('maxconn 4096');
    expect(all).toEqual(expect.arrayContaining(['timeout connect 5s', 'timeout client 60s', 'timeout server 60s']));
    expect(all).toContain('timeout http-keep-alive 60s');
    expect(all.filter((line) => /^(daemon|log)\b/.test(line))).toEqual([]);
    expect(lines(renderHaproxyConfig(spec(listener('http')), { threads: 2 }))).toContain('nbthread 2');
  });

  it.each([
    {
      mode: 'http' as const,
      what: 'an L7 listener as a keep-alive frontend and a reusing backend',
      frontend: ['  mode http', '  option http-keep-alive'],
      backend: ['  mode http', '  option http-keep-alive', '  http-reuse always', '  server up 127.0.0.1:15002 pool-purge-delay 60s'],
    },
    {
      mode: 'tcp' as const,
      what: 'an L4 listener in tcp mode without HTTP options',
      frontend: ['  mode tcp'],
      backend: ['  mode tcp', '  server up 127.0.0.1:15002'],
    },
  ])('renders $what', async ({ mode, frontend, backend }) => {
    const text = renderHaproxyConfig(spec(listener(mode)));
    expect(text).toContain(
      ['frontend outbound', ...frontend, '  bind 127.0.0.1:15001', '  default_backend outbound', '', 'backend outbound', ...backend].join('\n'),
    );
    if (mode === 'tcp') expect(text).not.toMatch(/http-reuse|http-keep-alive\n|option http/);
    expect(await checkConfig(haproxy, text)).toEqual(VALID);
  });

  it.each(['http', 'tcp'] as const)('renders %s mTLS on both sides and HAProxy accepts it', async (mode) => {
    const own = pki.identity('client-sidecar');
    const text = renderHaproxyConfig(
      spec(
        listener(mode, {
          tls: serverTls(pki, 'client-sidecar'),
          upstreamTls: clientTls(pki, 'client-sidecar', SERVER_NAME),
        }),
      ),
    );
    const all = lines(text);
    expect(all).toContain(`bind 127.0.0.1:15001 ssl crt ${own.bundleFile} ca-file ${pki.caFile} verify required`);
    const pool = mode === 'http' ? ' pool-purge-delay 60s' : '';
    expect(all).toContain(
      `server up 127.0.0.1:15002 ssl crt ${own.bundleFile} ca-file ${pki.caFile} verify required ` +
        `sni str(${SERVER_NAME}) verifyhost ${SERVER_NAME}${pool}`,
    );
    expect(await checkConfig(haproxy, text)).toEqual(VALID);
  });

  it('speaks HTTP/2 at L7 (proto h2) and offers h2 with ALPN on every TLS leg, and HAProxy accepts it', async () => {
    const tlsBoth = { tls: serverTls(pki, 'client-sidecar'), upstreamTls: clientTls(pki, 'client-sidecar', SERVER_NAME) };
    const l7 = lines(renderHaproxyConfig(spec(listener('http', { ...tlsBoth, h2: true }))));
    expect(l7.find((line) => line.startsWith('bind '))).toMatch(/ verify required alpn h2 proto h2$/);
    expect(l7.find((line) => line.startsWith('server '))).toMatch(/ verifyhost \S+ alpn h2 proto h2 pool-purge-delay 60s$/);
    const plain = lines(renderHaproxyConfig(spec(listener('http', { h2: true }))));
    expect(plain).toContain('bind 127.0.0.1:15001 proto h2');
    expect(plain).toContain('server up 127.0.0.1:15002 proto h2 pool-purge-delay 60s');
    // L4 carries the bytes; its TLS legs still offer h2, so the L7 hop behind it negotiates HTTP/2.
    const l4 = lines(renderHaproxyConfig(spec(listener('tcp', { ...tlsBoth, h2: true }))));
    expect(l4.find((line) => line.startsWith('bind '))).toMatch(/ verify required alpn h2$/);
    expect(l4.find((line) => line.startsWith('server '))).toMatch(/ alpn h2$/);
    for (const extra of [{ ...tlsBoth, h2: true }, { h2: true }]) {
      for (const mode of ['http', 'tcp'] as const) {
        expect(await checkConfig(haproxy, renderHaproxyConfig(spec(listener(mode, extra))))).toEqual(VALID);
      }
    }
  });

  it('writes IPv6 addresses with the ipv6@ prefix, and several listeners', async () => {
    const text = renderHaproxyConfig(
      spec(
        listener('http', { listen: { host: '::1', port: 15001 }, upstream: { host: '::1', port: 15002 } }),
        listener('tcp', { name: 'inbound', listen: { host: '127.0.0.1', port: 15003 } }),
      ),
    );
    const all = lines(text);
    expect(all).toContain('bind ipv6@::1:15001');
    expect(all).toContain('server up ipv6@::1:15002 pool-purge-delay 60s');
    expect(all).toContain('frontend inbound');
    expect(await checkConfig(haproxy, text)).toEqual(VALID);
  });

  it('quotes a path with a space so HAProxy reads it as one word', async () => {
    const own = pki.identity('client-sidecar');
    const tls = { ...serverTls(pki, 'client-sidecar'), caFile: `${dir}/no such dir/ca.pem` };
    expect(lines(renderHaproxyConfig(spec(listener('http', { tls }))))).toContain(
      `bind 127.0.0.1:15001 ssl crt ${own.bundleFile} ca-file '${dir}/no such dir/ca.pem' verify required`,
    );
  });

  it('rejects names, hosts and values it cannot write safely', () => {
    expect(() => renderHaproxyConfig({ name: 'Client Sidecar', listeners: [listener('http')] })).toThrow(
      /proxy name 'Client Sidecar' must be lower-case letters, digits and '-'/,
    );
    expect(() => renderHaproxyConfig(spec(listener('http', { name: 'out\n  bind :80' })))).toThrow(/listener name/);
    expect(() => renderHaproxyConfig(spec(listener('http'), listener('tcp')))).toThrow(/two listeners named outbound/);
    expect(() => renderHaproxyConfig(spec())).toThrow(/no listeners/);
    expect(() => renderHaproxyConfig(spec(listener('http', { upstream: { host: 'localhost', port: 80 } })))).toThrow(
      /'localhost' is not an IP address/,
    );
    expect(() => renderHaproxyConfig(spec(listener('http', { listen: { host: '127.0.0.1', port: 0 } })))).toThrow(
      /port of 127.0.0.1 must be an integer from 1 to 65535/,
    );
    const badName = clientTls(pki, 'client-sidecar', 'x) verify none');
    expect(() => renderHaproxyConfig(spec(listener('http', { upstreamTls: badName })))).toThrow(
      /not a lower-case DNS name/,
    );
    const quote = { ...serverTls(pki, 'client-sidecar'), caFile: "/tmp/it's/ca.pem" };
    expect(() => renderHaproxyConfig(spec(listener('http', { tls: quote })))).toThrow(/cannot be written/);
    expect(() => renderHaproxyConfig(spec(listener('http')), { threads: 0 })).toThrow(/threads must be an integer/);
  });
});
