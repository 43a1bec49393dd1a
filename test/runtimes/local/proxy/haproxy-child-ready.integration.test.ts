import { expect, it } from 'vitest';
import { ChildStartError, startChild } from '../../../../src/runtimes/local/child.ts';
import { freePort } from '../../../../src/runtimes/local/proxy/free-port.ts';
import { waitForListeners } from '../../../../src/runtimes/local/proxy/ready.ts';

/** A node one-liner as a child process. */
function node(code: string): [string, string[]] {
  return [process.execPath, ['-e', code]];
}

it('starts a child that prints nothing once its ready check passes, and stops it', async () => {
  const port = await freePort('127.0.0.1');
  const [command, args] = node(
    `setTimeout(() => require('node:net').createServer().listen(${port}, '127.0.0.1'), 100)`,
  );
  const child = await startChild('silent server', command, args, {
    ready: ({ signal }) => waitForListeners([{ host: '127.0.0.1', port }], { timeoutMs: 5000, signal }),
  });
  try {
    expect(child.announcement).toEqual({});
    expect(child.exited()).toBeUndefined();
  } finally {
    await child.stop();
  }
  expect(child.exited()).toBe('signal SIGTERM');
});

it('fails with the stderr tail when the child exits while its ready check waits', async () => {
  const [command, args] = node(`console.error('no config here'); process.exit(3)`);
  let readySignal: AbortSignal | undefined;
  const start = startChild('quitter', command, args, {
    ready: ({ signal }) => {
      readySignal = signal;
      return new Promise(() => {});
    },
  });
  await expect(start).rejects.toThrow(new ChildStartError('quitter did not start: exited with code 3\nno config here'));
  expect(readySignal?.aborted).toBe(true);
});

it('fails when the ready check rejects or the time runs out', async () => {
  const [command, args] = node('setInterval(() => {}, 1000)');
  await expect(
    startChild('refuser', command, args, { ready: () => Promise.reject(new Error('port 1 is not ours')) }),
  ).rejects.toThrow('refuser did not start: port 1 is not ours');
  const never = (): Promise<void> => new Promise(() => {});
  await expect(startChild('sleeper', command, args, { timeoutMs: 200, ready: never })).rejects.toThrow(
    'sleeper did not start: not ready within 200 ms',
  );
});

it('still waits for the JSON announcement without a ready check', async () => {
  const [command, args] = node(`console.log(JSON.stringify({ port: 1234 })); setInterval(() => {}, 1000)`);
  const child = await startChild('announcer', command, args);
  await child.stop();
  expect(child.announcement).toEqual({ port: 1234 });
});

it('probes loopback only, and names what never listened', async () => {
  await expect(waitForListeners([{ host: '10.0.0.1', port: 80 }], { timeoutMs: 100 })).rejects.toThrow(
    /loopback only, not to 10.0.0.1/,
  );
  const port = await freePort('127.0.0.1');
  await expect(waitForListeners([{ host: '::1', port }], { timeoutMs: 100 })).rejects.toThrow(
    `not listening within 100 ms on [::1]:${port}`,
  );
});
