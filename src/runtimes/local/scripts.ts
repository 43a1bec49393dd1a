/** Path of a process script of the local runtime: .ts when running from source, .js from dist. */
export function script(name: string): string {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, import.meta.url).pathname;
}
