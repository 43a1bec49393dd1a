import { readFileSync } from 'node:fs';

/** meshtax's own name and version, read once from package.json (src/ and dist/ sit beside it). */
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const TOOL = { name: pkg.name, version: pkg.version } as const;
export const USER_AGENT = `meshtax/${pkg.version}`;
