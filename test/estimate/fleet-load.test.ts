import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFleetFile, loadFleetText } from '../../src/estimate/fleet-load.ts';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { FLEET_YAML } from './fixture.ts';

function problems(text: string): string {
  try {
    loadFleetText(text, 'fleet.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  throw new Error('the fleet file was accepted');
}

describe('a good fleet file', () => {
  it('parses sizes to bytes and applies defaults', () => {
    const fleet = loadFleetText(FLEET_YAML.replace('waypoints: 4\n', ''), 'fleet.yaml');
    expect(fleet.nodes).toEqual({ count: 20, cores: 16, memory: 64 * 1024 ** 3 });
    expect(fleet.waypoints).toBe(1);
    expect(fleet.currency).toBe('USD');
    expect(fleet.services[0]).toEqual({ name: 'web', count: 60, pods: 3, rps: 100 });
  });

  it('docs/fleet-example.yaml loads', async () => {
    const fleet = await loadFleetFile(path.resolve(import.meta.dirname, '../../docs/fleet-example.yaml'));
    expect(fleet.metadata.name).toBe('shop');
  });
});

describe('problems at file:line:col', () => {
  it('a misspelt key, with the keys that exist', () => {
    const message = problems(FLEET_YAML.replace('  - { name: web, count: 60, pods: 3, rps: 100 }', '  - name: web\n    pods: 3\n    rsp: 100'));
    expect(message).toContain("fleet.yaml:10:5: unknown key 'rsp' in services[0]");
    expect(message).toContain("did you mean 'rps'?");
    expect(message).toContain("fleet.yaml:8:5: missing required key 'rps' in services[0]");
  });

  it('a value out of range on its line', () => {
    expect(problems(FLEET_YAML.replace('pods: 3', 'pods: 0'))).toContain('fleet.yaml:8:35: services[0].pods: must be an integer from 1 to 100000; got 0');
  });

  it('a memory size that is not one', () => {
    expect(problems(FLEET_YAML.replace('64GiB', '64 gigs'))).toMatch(/^fleet\.yaml:4:40: .*'64 gigs' is not a valid size/);
  });

  it('a price section without a price, and half of the per-resource pair', () => {
    expect(problems(FLEET_YAML.replace('price: { nodeMonth: 450, coreHour: 0.04, gibHour: 0.005 }', 'price: {}'))).toContain(
      'fleet.yaml:5:8: price: needs nodeMonth, or coreHour and gibHour',
    );
    expect(problems(FLEET_YAML.replace('nodeMonth: 450, coreHour: 0.04, gibHour: 0.005', 'coreHour: 0.04'))).toContain('coreHour and gibHour go together');
  });

  it('a service listed twice', () => {
    const twice = FLEET_YAML.replace('  - { name: web, count: 60, pods: 3, rps: 100 }', '  - { name: web, pods: 3, rps: 100 }\n  - { name: web, pods: 1, rps: 5 }');
    expect(problems(twice)).toContain("fleet.yaml:9:13: services[1].name: service 'web' is listed twice (first at services[0])");
  });

  it('broken YAML, a scenario instead of a fleet, an empty file', () => {
    expect(problems('nodes: [1, 2\n')).toMatch(/^fleet\.yaml:2:1: invalid YAML/);
    expect(problems(FLEET_YAML.replace('kind: Fleet', 'kind: Scenario'))).toContain("fleet.yaml:2:7: kind: must be Fleet; got 'Scenario'");
    expect(problems('')).toContain('a fleet file must be a YAML mapping');
  });

  it('nesting 100 000 deep, by its depth; an alias, as a fleet file has no use for one', () => {
    const deep = problems(`${FLEET_YAML}extra: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    expect(deep).toMatch(/^fleet\.yaml:\d+:\d+: nesting deeper than 64 levels; a fleet file needs a handful/);
    expect(deep).not.toContain('call stack');
    const alias = problems(FLEET_YAML.replace('waypoints: 4', 'waypoints: &four 4\nextra: *four'));
    expect(alias).toContain('alias *four: fleet files do not use YAML aliases');
  });

  it('a file that is not there, or a directory', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-test-'));
    await expect(loadFleetFile(path.join(dir, 'nope.yaml'))).rejects.toThrow(/cannot read .*nope\.yaml: no such file/);
    await expect(loadFleetFile(dir)).rejects.toThrow(/it is a directory/);
    writeFileSync(path.join(dir, 'ok.yaml'), FLEET_YAML);
    await expect(loadFleetFile(path.join(dir, 'ok.yaml'))).resolves.toMatchObject({ waypoints: 4 });
  });
});
