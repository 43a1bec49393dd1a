import { afterEach, describe, expect, it } from 'vitest';
import { startChild, type StartedChild } from '../../../src/runtimes/local/child.ts';
import { script } from '../../../src/runtimes/local/scripts.ts';
import { okHandler, startServer, type TestServer } from '../../helpers/servers.ts';

const started: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((thing) => thing.stop()));
});

async function next(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  started.push({ stop: () => server.close() });
  return server;
}

async function echo(forward: string, fanOut: number): Promise<string> {
  const child: StartedChild = await startChild('echo server', process.execPath, [
    script('echo-server'),
    '--port',
    '0',
    '--payload-bytes',
    '16',
    '--forward',
    forward,
    '--fan-out',
    String(fanOut),
  ]);
  started.push(child);
  return `http://127.0.0.1:${String(child.announcement.port)}/`;
}

describe('the echo server as a service of a call chain', () => {
  it('calls the next service fanOut times per request and answers once they have', async () => {
    const downstream = await next(okHandler);
    const service = await echo(downstream.url, 3);
    for (let i = 0; i < 2; i++) {
      const response = await fetch(service);
      expect(response.status).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBe(16);
    }
    expect(downstream.requests()).toBe(6);
  });

  it('answers 502 naming the failure when the next service fails', async () => {
    const downstream = await next((_request, response) => {
      response.writeHead(500, { 'content-length': '0' });
      response.end();
    });
    const response = await fetch(await echo(downstream.url, 1));
    expect(response.status).toBe(502);
    expect(await response.text()).toBe(`next service: 127.0.0.1:${downstream.port} answered 500\n`);
  });
});
