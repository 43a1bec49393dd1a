import { describe, expect, it } from 'vitest';
import { block, usedBlocks } from '../../../../src/runtimes/local/netns/address-pool.ts';
import { modeNames, runTag } from '../../../../src/runtimes/local/netns/names.ts';
import { redirectRuleArgs, runRules, splitRule } from '../../../../src/runtimes/local/netns/redirect.ts';

// Parsing of what ip and iptables print, and the names given to them: runs anywhere.
const RUN = '20261122-043112-db2c';

describe('names, addresses and rules of a netns run', () => {
  it('names namespaces and interfaces after the run tag and mode, interfaces within 15 characters', () => {
    expect(runTag(RUN)).toBe('db2c');
    const names = modeNames(RUN, 'node-proxy-waypoint');
    expect(names.server).toBe('mtx-db2c-npw-srv');
    expect(names.waypoint).toBe('mtx-db2c-npw-wp');
    expect(names.link('r', 's')).toBe('mtxdb2c-npw-rs');
    expect(names.link('w', 's').length).toBeLessThanOrEqual(15);
  });

  it('cuts 169.254.77.0/24 into /30s and finds the ones in use', () => {
    expect(block(3)).toEqual({ index: 3, cidr: '169.254.77.12/30', near: '169.254.77.13', far: '169.254.77.14' });
    const addr = [
      '4: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0',
      '9: mtxdb2c-sc-rs    inet 169.254.77.13/30 scope global mtxdb2c-sc-rs',
      '11: other    inet 169.254.77.200/29 scope global other',
      '12: wide    inet 169.254.77.40/16 scope global wide',
    ].join('\n');
    expect([...usedBlocks(addr)].sort((a, b) => a - b)).toEqual([3, 10, 50, 51]);
    // A wider link-local route (169.254.0.0/16, common on desktops) is no conflict; a /24 over the pool is.
    expect(usedBlocks('169.254.0.0/16 dev eth0 scope link metric 1000').size).toBe(0);
    expect(usedBlocks('169.254.77.0/24 dev br0 scope link').size).toBe(64);
    // A rule left behind by a killed run still redirects its pod address: that block is taken too.
    expect([...usedBlocks('-A OUTPUT -d 169.254.77.106/32 -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 1')]).toEqual([26]);
  });

  it('writes a REDIRECT rule for one pod address only, and finds the run’s rules in iptables-save by comment', () => {
    expect(redirectRuleArgs(RUN, { destination: '169.254.77.14', port: 8080, toPort: 40001 }).join(' ')).toBe(
      `-d 169.254.77.14/32 -p tcp --dport 8080 -m comment --comment meshtax:${RUN} -j REDIRECT --to-ports 40001`,
    );
    expect(() => redirectRuleArgs(RUN, { destination: '192.168.1.1', port: 8080, toPort: 1 })).toThrow(/refusing/);
    const saved = [
      '*nat',
      ':OUTPUT ACCEPT [0:0]',
      `-A OUTPUT -d 169.254.77.14/32 -p tcp -m tcp --dport 8080 -m comment --comment "meshtax:${RUN}" -j REDIRECT --to-ports 40001`,
      `-A OUTPUT -d 169.254.77.18/32 -p tcp -m tcp --dport 8080 -m comment --comment meshtax:${RUN} -j REDIRECT --to-ports 40002`,
      `-A OUTPUT -d 169.254.77.22/32 -p tcp -m tcp --dport 8080 -m comment --comment "meshtax:${RUN}-other" -j REDIRECT --to-ports 40003`,
      '-A OUTPUT -d 10.1.2.3/32 -j ACCEPT',
      'COMMIT',
    ].join('\n');
    expect(runRules(saved, RUN).map((rule) => rule.slice(0, 3))).toEqual([
      ['-D', 'OUTPUT', '-d'],
      ['-D', 'OUTPUT', '-d'],
    ]);
    expect(runRules(saved, RUN, '169.254.77.18')).toEqual([
      ['-D', 'OUTPUT', '-d', '169.254.77.18/32', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-m', 'comment', '--comment', `meshtax:${RUN}`, '-j', 'REDIRECT', '--to-ports', '40002'],
    ]);
    expect(splitRule('-A X -m comment --comment "a \\"quoted\\" word" -j ACCEPT')).toEqual(['-A', 'X', '-m', 'comment', '--comment', 'a "quoted" word', '-j', 'ACCEPT']);
  });
});
