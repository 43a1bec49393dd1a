import { expect, it } from 'vitest';
import { detectHaproxy, parseHaproxyVersion } from '../../../../src/runtimes/local/proxy/haproxy.ts';
import { requireHaproxy } from './haproxy-helpers.ts';

it('parses the version HAProxy prints with -v', () => {
  expect(parseHaproxyVersion('HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/\nStatus: ...')).toBe(
    '2.6.12-1+deb12u4',
  );
  expect(parseHaproxyVersion('HA-Proxy version 1.8.19 2019/02/11')).toBe('1.8.19');
  expect(parseHaproxyVersion('haproxy: command not found')).toBeUndefined();
});

it('finds the installed HAProxy, its version and the parent-death arrangement', async () => {
  const haproxy = await requireHaproxy();
  expect(haproxy.identity).toEqual({ kind: 'haproxy', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  expect(haproxy.command).toMatch(/haproxy$/);
  // util-linux's setpriv is on every Debian and Ubuntu machine, CI included.
  expect(haproxy.stopsWithParent).toBe(true);
});

it('reports no HAProxy where there is none', async () => {
  expect(await detectHaproxy({ command: 'meshtax-no-such-haproxy' })).toBeUndefined();
  expect(await detectHaproxy({ command: '/nonexistent/haproxy' })).toBeUndefined();
  // A program that runs but is not HAProxy.
  expect(await detectHaproxy({ command: 'true' })).toBeUndefined();
});
