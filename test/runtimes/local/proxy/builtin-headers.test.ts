import { describe, expect, it } from 'vitest';
import { forwardedRequest, forwardedResponseHeaders } from '../../../../src/runtimes/local/proxy/builtin-headers.ts';

describe('builtin proxy header rewriting', () => {
  it('drops hop-by-hop request headers and appends x-forwarded-for and via', () => {
    const raw = [
      'Host', 'app:8080',
      'Connection', 'keep-alive, X-Hop',
      'Keep-Alive', 'timeout=5',
      'X-Hop', 'secret',
      'TE', 'trailers',
      'Proxy-Authorization', 'Basic x',
      'Upgrade', 'websocket',
      'X-Forwarded-For', '10.0.0.1',
      'Via', '1.1 edge',
      'Accept', '*/*',
    ];
    expect(forwardedRequest(raw, '127.0.0.1', 'upstream:1')).toEqual({
      headers: [
        'Host', 'app:8080',
        'X-Forwarded-For', '10.0.0.1, 127.0.0.1',
        'Via', '1.1 edge, 1.1 meshtax-builtin',
        'Accept', '*/*',
      ],
      hasBody: false,
    });
  });

  it('adds host, x-forwarded-for and via when absent', () => {
    expect(forwardedRequest(['accept', '*/*'], '::1', '127.0.0.1:9000')).toEqual({
      headers: ['accept', '*/*', 'host', '127.0.0.1:9000', 'x-forwarded-for', '::1', 'via', '1.1 meshtax-builtin'],
      hasBody: false,
    });
  });

  it('tells requests with a body from bodiless ones', () => {
    const body = (raw: string[]): boolean => forwardedRequest(['host', 'h', ...raw], undefined, 'u').hasBody;
    expect(body([])).toBe(false);
    expect(body(['content-length', '0'])).toBe(false);
    expect(body(['Content-Length', '12'])).toBe(true);
    expect(body(['Transfer-Encoding', 'chunked'])).toBe(true);
    expect(forwardedRequest(['host', 'h', 'transfer-encoding', 'chunked'], undefined, 'u').headers).toEqual([
      'host', 'h', 'via', '1.1 meshtax-builtin',
    ]);
  });

  it('drops hop-by-hop response headers and appends via', () => {
    const raw = [
      'Content-Type', 'text/plain',
      'Transfer-Encoding', 'chunked',
      'Connection', 'close',
      'Keep-Alive', 'timeout=120',
      'Set-Cookie', 'a=1',
      'Set-Cookie', 'b=2',
    ];
    expect(forwardedResponseHeaders(raw)).toEqual([
      'Content-Type', 'text/plain',
      'Set-Cookie', 'a=1',
      'Set-Cookie', 'b=2',
      'via', '1.1 meshtax-builtin',
    ]);
  });
});
