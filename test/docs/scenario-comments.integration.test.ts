import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const files = readdirSync('scenarios').filter((name) => name.endsWith('.yaml')).map((name) => `scenarios/${name}`);
const comments = (file: string): string =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('#'))
    .join('\n');

/** The example scenarios teach by their comments: they must not promise what exists already or name what does not. */
describe('comments of the example scenarios', () => {
  it('promise nothing that is still to come', () => {
    for (const file of files) expect(comments(file), file).not.toMatch(/\barrives?\b|coming soon|not yet|will (come|arrive)/i);
  });

  it('name only meshtax commands that exist', async () => {
    const help = (await runCli(['--help'])).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((match) => match[1]);
    for (const file of files) {
      for (const [, command] of comments(file).matchAll(/meshtax ([a-z]+)/g)) expect(commands, `${file}: meshtax ${command}`).toContain(command);
    }
  });

  it('local-tls-cost.yaml validates both ways it tells you to run it', async () => {
    expect(comments('scenarios/local-tls-cost.yaml')).toContain('--set local.mtls=false');
    for (const sets of [[], ['--set', 'local.mtls=false']]) {
      const result = await runCli(['validate', 'scenarios/local-tls-cost.yaml', ...sets]);
      expect(result.code, result.stderr).toBe(0);
    }
  });
});
