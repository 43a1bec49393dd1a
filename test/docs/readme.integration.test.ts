import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const readme = readFileSync('README.md', 'utf8');
const section = (title: string): string => readme.split(/^## /m).find((part) => part.startsWith(`${title}\n`)) ?? '';

describe('README', () => {
  it('links every example scenario', () => {
    for (const name of readdirSync('scenarios').filter((file) => file.endsWith('.yaml'))) {
      expect(readme, name).toContain(`](scenarios/${name})`);
    }
  });

  it('lists every command in its commands table', async () => {
    const help = (await runCli(['--help'])).stdout;
    const commands = [...help.matchAll(/^ {2}([a-z]+)\b/gm)].map((match) => match[1]!).filter((name) => name !== 'help');
    expect(commands).toContain('show');
    for (const command of commands) expect(section('Commands'), command).toContain(`| \`meshtax ${command} `);
  });

  it('gives the quick start time with the install included, not the run alone', () => {
    const quickStart = section('Quick start');
    expect(quickStart).toContain('npm ci && npx meshtax run');
    expect(quickStart).toMatch(/`npm ci`[^.]*\d+ s\b/);
  });
});
