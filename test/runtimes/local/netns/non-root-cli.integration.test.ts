import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../../../helpers/cli.ts';
import { requireRoot } from './helpers.ts';

/** The nobody user and group of Debian and most Linux systems. */
const NOBODY = '65534';

describe('meshtax run as a user who is not root', () => {
  beforeAll(requireRoot);

  it('rejects local.isolation: netns with exit code 2, pointing at the --set, before anything starts', () => {
    const out = path.join(tempDir(), 'results');
    // setpriv drops to nobody for real, so this is the validator's own root check, not an injected one.
    const result = spawnSync(
      'setpriv',
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', process.execPath, BIN, 'run', '--set', 'local.isolation=netns', '--out', out],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(result.status, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      '--set local.isolation=netns: local.isolation: netns needs root: it creates network namespaces, veth pairs and iptables rules\n' +
        '  hint: run as root (sudo) or use local.isolation: loopback, which works everywhere\n',
    );
    expect(existsSync(out)).toBe(false);
  });
});
