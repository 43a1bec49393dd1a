/**
 * Bundles the code the Kubernetes runtime runs inside the cluster (echo server, load generator and its worker, the
 * start-up prober) into dist/pod/, each one self-contained ES module file. The runtime ships them in a ConfigMap to
 * stock Node.js images, so no image is built or pushed. esbuild: a well-kept bundler that resolves the dependencies
 * (autocannon, hdr-histogram-js, http-parser-js) into each file.
 */
import { build } from 'esbuild';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'dist', 'pod');
await mkdir(outdir, { recursive: true });
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
await build({
  entryPoints: {
    echo: path.join(root, 'src/runtimes/local/echo-server.ts'),
    loadgen: path.join(root, 'src/pod/loadgen-main.ts'),
    // The start-up prober (src/pod/prober-server.ts): polls new pods through the mesh for `meshtax startup`.
    prober: path.join(root, 'src/pod/prober-main.ts'),
    // The phase runner starts `./worker.js` beside itself, and the open loop `./pacer-thread.js`.
    worker: path.join(root, 'src/loadgen/worker.ts'),
    'pacer-thread': path.join(root, 'src/loadgen/pacer-thread.ts'),
  },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { MESHTAX_BUNDLED_PACKAGE: JSON.stringify({ name: pkg.name, version: pkg.version }) },
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: { js: "import { createRequire as __meshtaxRequire } from 'node:module'; const require = __meshtaxRequire(import.meta.url);" },
});
await writeFile(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
let total = 0;
for (const name of ['echo.js', 'loadgen.js', 'prober.js', 'worker.js', 'pacer-thread.js']) total += (await stat(path.join(outdir, name))).size;
if (process.argv.includes('--verbose')) process.stdout.write(`dist/pod: ${total} bytes\n`);
