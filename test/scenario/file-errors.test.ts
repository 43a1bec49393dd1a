import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadFleetFile } from '../../src/estimate/fleet-load.ts';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, yaml } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshtax-scenario-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function problemsLoading(path: string) {
  const error: unknown = await loadScenarioFile(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ScenarioError);
  return (error as ScenarioError).problems;
}

it('says a missing file does not exist', async () => {
  const path = join(dir, 'nope.yaml');
  expect(await problemsLoading(path)).toEqual([{ source: path, message: `cannot read ${path}: no such file` }]);
});

it('says a directory is not a file', async () => {
  expect(await problemsLoading(dir)).toEqual([{ source: dir, message: `cannot read ${dir}: it is a directory` }]);
});

it('refuses a file over 1 MiB before reading it', async () => {
  const path = join(dir, 'big.yaml');
  writeFileSync(path, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
  expect(await problemsLoading(path)).toEqual([
    { source: path, message: 'the file is 2.0 MiB; a scenario file may be at most 1 MiB', hint: 'is this the scenario file you meant?' },
  ]);
});

it('refuses text over 1 MiB', () => {
  expect(() => loadScenarioText(`# ${'x'.repeat(1024 * 1024)}\n`, 'big.yaml')).toThrow(
    'big.yaml: the file is 1.0 MiB; a scenario file may be at most 1 MiB',
  );
});

/**
 * A FIFO named where a file belongs: opening it for reading would wait for a writer forever, and Ctrl-C could not
 * end the wait. Each file meshtax reads from a scenario is refused at once, named, with what it is instead.
 */
describe('a FIFO where a file belongs', () => {
  const fifoDir = join(dir, 'fifo');
  mkdirSync(fifoDir);
  const fifo = (name: string) => {
    const file = join(fifoDir, name);
    execFileSync('mkfifo', [file]);
    return file;
  };

  it('as the scenario file', async () => {
    const path = fifo('scenario.yaml');
    expect(await problemsLoading(path)).toEqual([{ source: path, message: `cannot read ${path}: it is a FIFO (named pipe)` }]);
  });

  it('as a fleet file', async () => {
    const path = fifo('fleet.yaml');
    await expect(loadFleetFile(path)).rejects.toThrow(`cannot read ${path}: it is a FIFO (named pipe)`);
  });

  it("as a request's bodyFile, at its line", async () => {
    fifo('body.json');
    const path = join(fifoDir, 'body-scenario.yaml');
    writeFileSync(path, yaml(...HEAD, 'load:', '  requests:', '    - {method: POST, path: /order, bodyFile: body.json}'));
    expect(await problemsLoading(path)).toEqual([
      expect.objectContaining({ line: 7, message: `cannot read ${join(fifoDir, 'body.json')}: it is a FIFO (named pipe)` }),
    ]);
  });

  it('as the .proto, and as a file the .proto imports', async () => {
    fifo('cart.proto');
    const call = yaml(...HEAD, 'load:', '  protocol: grpc', '  grpc:', '    proto: cart.proto', '    method: shop.v1.Cart/Get');
    const path = join(fifoDir, 'grpc-scenario.yaml');
    writeFileSync(path, call);
    expect((await problemsLoading(path)).map((p) => p.message)).toEqual([`cannot read ${join(fifoDir, 'cart.proto')}: it is a FIFO (named pipe); give a .proto file`]);
    fifo('types.proto');
    writeFileSync(path, call.replace('cart.proto', 'importing.proto'));
    writeFileSync(join(fifoDir, 'importing.proto'), 'syntax = "proto3";\nimport "types.proto";\npackage shop.v1;\n');
    expect((await problemsLoading(path)).map((p) => p.message)).toEqual([`cannot read ${join(fifoDir, 'types.proto')}: it is a FIFO (named pipe); give a .proto file`]);
  });
});
