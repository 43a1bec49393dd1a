/**
 * Brings a Go toolchain for building the Kubernetes test control plane when the machine has none: the Go module
 * proxy serves every Go release as the module `golang.org/toolchain` (version v0.0.1-go<release>.<os>-<arch>),
 * which is how `go` itself switches toolchains. The zip is checked against a SHA-256 pinned here (the checksum
 * database is not reachable from every CI network), unpacked with `unzip` outside the clone, and the directory of
 * its `go` binary is printed on stdout.
 *
 *   node scripts/test-env/go-toolchain.ts [cache-dir]     # default ${MESHTAX_TOOLS_CACHE:-/var/cache/meshtax-tools}
 *
 * A second call with the toolchain in the cache only checks it and prints the same line.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const GO_RELEASE = '1.26.8';

/** SHA-256 of the proxy's zips of go1.26.8 (measured with sha256sum on the zips proxy.golang.org served). */
const PINNED_SHA256: Readonly<Record<string, string>> = {
  'linux-amd64': '30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7',
  'linux-arm64': '02b36b6787b3ac767668f630e2998df45a3b1f9ffee08d1bf3ef6487cd658d99',
};

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

/** The module version the proxy serves a Go release under, e.g. v0.0.1-go1.26.8.linux-amd64. */
export function toolchainVersion(release: string, platform: string, arch: string): string {
  const goArch = GO_ARCH[arch];
  if (platform !== 'linux' || goArch === undefined) {
    throw new Error(`no Go toolchain pinned for ${platform}/${arch}; install Go ${GO_RELEASE} (https://go.dev/dl) and put it on PATH`);
  }
  return `v0.0.1-go${release}.linux-${goArch}`;
}

function proxyBase(): string {
  // GOPROXY may list several proxies and "direct"/"off"; the first URL is the one to use.
  const first = (process.env['GOPROXY'] ?? '').split(/[,|]/).find((entry) => /^https?:\/\//.test(entry));
  return (first ?? 'https://proxy.golang.org').replace(/\/+$/, '');
}

async function download(url: string, file: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok || response.body === null) throw new Error(`GET ${url}: HTTP ${response.status}`);
  await pipeline(Readable.fromWeb(response.body), createWriteStream(file));
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The bin/ directory of the cached (or freshly unpacked) toolchain. */
export async function ensureGoToolchain(cacheRoot: string): Promise<string> {
  const version = toolchainVersion(GO_RELEASE, process.platform, process.arch);
  const goroot = path.join(cacheRoot, 'go', version);
  const bin = path.join(goroot, 'bin');
  if (existsSync(path.join(bin, 'go'))) return bin;

  mkdirSync(path.dirname(goroot), { recursive: true });
  const work = mkdtempSync(path.join(path.dirname(goroot), '.download-'));
  try {
    const zip = path.join(work, 'toolchain.zip');
    const url = `${proxyBase()}/golang.org/toolchain/@v/${version}.zip`;
    process.stderr.write(`[test-env] downloading ${url}\n`);
    await download(url, zip);
    const expected = process.env['MESHTAX_GO_SHA256'] ?? PINNED_SHA256[version.slice(-'linux-amd64'.length)];
    const actual = sha256(zip);
    if (actual !== expected) throw new Error(`${url}: SHA-256 ${actual}, expected ${expected ?? '(none pinned)'}; not using it`);
    // Module zips hold every file under "<module>@<version>/"; unzip keeps the Unix modes (bin/go is 0755).
    execFileSync('unzip', ['-q', zip, '-d', work], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      renameSync(path.join(work, `golang.org/toolchain@${version}`), goroot);
    } catch (error) {
      // Another setup unpacked the same toolchain meanwhile: use theirs.
      if (!existsSync(path.join(bin, 'go'))) throw error;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const reported = execFileSync(path.join(bin, 'go'), ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
  if (reported !== `go${GO_RELEASE}`) throw new Error(`${bin}/go reports ${reported}, expected go${GO_RELEASE}`);
  return bin;
}

if (import.meta.main) {
  const cacheRoot = process.argv[2] ?? process.env['MESHTAX_TOOLS_CACHE'] ?? '/var/cache/meshtax-tools';
  try {
    process.stdout.write(`${await ensureGoToolchain(cacheRoot)}\n`);
  } catch (error) {
    process.stderr.write(`go-toolchain: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
