import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { requestMix } from '../../src/scenario/request-mix.ts';
import { HEAD, problemsOf, yaml } from './helpers.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Writes `files` into a new directory and loads `scenario.yaml` from it; returns the problems, or the scenario. */
async function loadIn(files: Record<string, string>) {
  dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-protocols-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const file = path.join(dir, 'scenario.yaml');
  try {
    return { loaded: await loadScenarioFile(file), file };
  } catch (error) {
    if (error instanceof ScenarioError) return { problems: error.problems, file };
    throw error;
  }
}

describe('load.protocol, load.streams, load.requests and load.grpc', () => {
  it('rejects streams with HTTP/1.1, a request mix with gRPC, and load.grpc without it, at their lines', () => {
    expect(problemsOf(yaml(...HEAD, 'load:', '  streams: 4')).map((p) => [p.line, p.message])).toEqual([
      [6, 'load.streams: streams apply to http2 and grpc; HTTP/1.1 carries one request at a time per connection; got 4'],
    ]);
    expect(problemsOf(yaml(...HEAD, 'load:', '  protocol: grpc', '  requests:', '    - path: /a')).map((p) => [p.line, p.message])).toEqual([
      [8, 'load.requests: requests describe HTTP endpoints; a grpc load calls the method in load.grpc'],
    ]);
    expect(problemsOf(yaml(...HEAD, 'load:', '  grpc: {method: a.B/C}')).map((p) => p.message)).toEqual([
      'load.grpc: grpc applies to load.protocol: grpc; got protocol http1',
    ]);
  });

  it('rejects two requests with one name, body with bodyFile, and a path without a slash', () => {
    const problems = problemsOf(
      yaml(...HEAD, 'load:', '  requests:', '    - {path: /a}', '    - {path: /a, body: x, bodyFile: b.json}', '    - {path: cart}'),
    ).map((p) => [p.line, p.message]);
    expect(problems).toEqual([
      [8, "load.requests[1].name: two requests are named 'GET /a'"],
      [8, 'load.requests[1].bodyFile: body and bodyFile exclude each other'],
      [9, "load.requests[2].path: must be a path starting with '/' and without spaces; got 'cart'"],
    ]);
  });

  it('reads bodyFile relative to the scenario file, and names a missing one at its line', async () => {
    const scenario = yaml(...HEAD, 'load:', '  requests:', '    - {method: POST, path: /order, bodyFile: order.json, weight: 2, expectStatus: [201]}');
    const ok = await loadIn({ 'scenario.yaml': scenario, 'order.json': '{"id":7}' });
    const mix = requestMix(ok.loaded!.scenario.load);
    expect(mix.requests).toEqual([
      { name: 'POST /order', method: 'POST', path: '/order', headers: {}, body: Buffer.from('{"id":7}').toString('base64'), weight: 2, expect: [201] },
    ]);
    const missing = await loadIn({ 'scenario.yaml': scenario });
    expect(missing.problems).toEqual([
      expect.objectContaining({ source: missing.file, line: 7, message: `cannot read ${path.join(dir!, 'order.json')}: no such file` }),
    ]);
  });

  it('checks a gRPC call against its .proto before anything starts', async () => {
    const proto = 'syntax = "proto3";\npackage shop.v1;\nservice Cart { rpc Get (GetRequest) returns (GetReply); }\nmessage GetRequest { int32 id = 1; }\nmessage GetReply { string name = 1; }\n';
    const call = (method: string, message: string) =>
      yaml(...HEAD, 'load:', '  protocol: grpc', '  grpc:', '    proto: cart.proto', `    method: ${method}`, `    message: ${message}`);
    const ok = await loadIn({ 'scenario.yaml': call('shop.v1.Cart/Get', '{id: 7}'), 'cart.proto': proto });
    expect(requestMix(ok.loaded!.scenario.load).requests?.[0]).toMatchObject({ method: 'POST', path: '/shop.v1.Cart/Get', body: 'AAAAAAIIBw==' });
    const wrongMethod = await loadIn({ 'scenario.yaml': call('shop.v1.Cart/Put', '{id: 7}'), 'cart.proto': proto });
    expect(wrongMethod.problems?.map((p) => [p.line, p.message])).toEqual([[9, "service 'shop.v1.Cart' has no method 'Put'; it has Get"]]);
    const wrongMessage = await loadIn({ 'scenario.yaml': call('shop.v1.Cart/Get', '{id: seven}'), 'cart.proto': proto });
    expect(wrongMessage.problems?.map((p) => [p.line, p.message])).toEqual([[10, 'the message does not fit shop.v1.GetRequest: id: integer expected']]);
  });
});
