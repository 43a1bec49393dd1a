import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFleetFile } from '../../src/estimate/fleet-load.ts';
import { HEAD, problemsLoadingFile, yaml } from './helpers.ts';

const fifoDir = mkdtempSync(join(tmpdir(), 'meshtax-fifo-'));
afterAll(() => rmSync(fifoDir, { recursive: true, force: true }));

/**
 * A FIFO named where a file belongs: opening it for reading would wait for a writer forever, and Ctrl-C could not
 * end the wait. Each file meshtax reads from a scenario is refused at once, named, with what it is instead.
 */
describe('a FIFO where a file belongs', () => {
  const fifo = (name: string) => {
    const file = join(fifoDir, name);
    execFileSync('mkfifo', [file]);
    return file;
  };

  it('as the scenario file', async () => {
    const path = fifo('scenario.yaml');
    expect(await problemsLoadingFile(path)).toEqual([{ source: path, message: `cannot read ${path}: it is a FIFO (named pipe)` }]);
  });

  it('as a fleet file', async () => {
    const path = fifo('fleet.yaml');
    await expect(loadFleetFile(path)).rejects.toThrow(`cannot read ${path}: it is a FIFO (named pipe)`);
  });

  it("as a request's bodyFile, at its line", async () => {
    fifo('body.json');
    const path = join(fifoDir, 'body-scenario.yaml');
    writeFileSync(path, yaml(...HEAD, 'load:', '  requests:', '    - {method: POST, path: /order, bodyFile: body.json}'));
    expect(await problemsLoadingFile(path)).toEqual([
      expect.objectContaining({ line: 7, message: `cannot read ${join(fifoDir, 'body.json')}: it is a FIFO (named pipe)` }),
    ]);
  });

  it('as the .proto, and as a file the .proto imports', async () => {
    fifo('cart.proto');
    const call = yaml(...HEAD, 'load:', '  protocol: grpc', '  grpc:', '    proto: cart.proto', '    method: shop.v1.Cart/Get');
    const path = join(fifoDir, 'grpc-scenario.yaml');
    writeFileSync(path, call);
    expect((await problemsLoadingFile(path)).map((p) => p.message)).toEqual([`cannot read ${join(fifoDir, 'cart.proto')}: it is a FIFO (named pipe); give a .proto file`]);
    fifo('types.proto');
    writeFileSync(path, call.replace('cart.proto', 'importing.proto'));
    writeFileSync(join(fifoDir, 'importing.proto'), 'syntax = "proto3";\nimport "types.proto";\npackage shop.v1;\n');
    expect((await problemsLoadingFile(path)).map((p) => p.message)).toEqual([`cannot read ${join(fifoDir, 'types.proto')}: it is a FIFO (named pipe); give a .proto file`]);
  });
});
