import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The minified browser (UMD) bundle of Chart.js, read once from node_modules and cached, ready to inline in a
 * `<script>`: the source-map comment is dropped (the map is not shipped) and the URLs in the licence banners lose
 * their scheme, so the page names no network address; the copyright and licence lines stay.
 */
export function chartBundle(): string {
  if (cached !== undefined) return cached;
  // chart.js's exports map hides dist/chart.umd.min.js; its CommonJS entry sits beside it in dist/.
  const entry = createRequire(import.meta.url).resolve('chart.js');
  const source = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  cached = source
    .replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '\n')
    .replace(/\/\*![\s\S]*?\*\//g, (banner) => banner.replace(/https?:\/\//g, ''))
    .replaceAll('</script', '<\\/script');
  return cached;
}
