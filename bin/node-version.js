// Which Node.js runs meshtax, checked before anything else loads: on an older Node the dependencies fail deep inside
// (Node 20 stops in undici with "Cannot read properties of undefined (reading 'bind')"), which says nothing about
// the cause. Plain syntax only, so that the Node being rejected can parse this file.

/**
 * package.json's engines.node, which this check implements (a test keeps the two equal): the highest floor among
 * the runtime dependencies, undici 8's ">=22.19.0" (its package.json engines; @kubernetes/client-node needs it).
 */
export const SUPPORTED_NODE = '^22.19.0 || >=24.0.0';

/** null when `version` (as in process.version, e.g. "v20.20.2") can run meshtax, else what to tell the user. */
export function nodeVersionProblem(version, execPath) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (match) {
    const major = Number(match[1]);
    const minor = Number(match[2]);
    if (major >= 24 || (major === 22 && minor >= 19)) return null;
  }
  return (
    'meshtax needs Node.js 22.19 or a later 22.x, or 24 or later; this is Node.js ' + version + ' (' + execPath + ').\n' +
    'In a meshtax checkout, `npm ci` installs Node 24 for the project (the `node` devDependency): run meshtax as\n' +
    '`npx meshtax ...`, which puts it first on PATH. Otherwise install Node.js 24 (https://nodejs.org/en/download,\n' +
    'your distribution\'s nodejs package if it is new enough, or `nvm install 24`) and run meshtax with it.'
  );
}
