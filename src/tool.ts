import { readFileSync } from 'node:fs';

/**
 * Set by the pod bundler (scripts/bundle-pod.ts): the bundled code runs in a cluster without package.json.
 * Elsewhere undefined, and the version is read once from package.json (src/ and dist/ sit beside it).
 */
declare const MESHTAX_BUNDLED_PACKAGE: { name: string; version: string } | undefined;

const pkg =
  typeof MESHTAX_BUNDLED_PACKAGE === 'undefined'
    ? (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string })
    : MESHTAX_BUNDLED_PACKAGE;

export const TOOL = { name: pkg.name, version: pkg.version } as const;
export const USER_AGENT = `meshtax/${pkg.version}`;
