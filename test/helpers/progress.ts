/** What a command wrote on stderr besides its plain progress lines (the default when stderr is not a terminal). */
export function besidesProgress(stderr: string): string {
  return stderr
    .split('\n')
    .filter(
      (line) =>
        !/^meshtax run \S+: \d+ phases?, results in /.test(line) &&
        !/^\[\d+\/\d+\] .*, done$/.test(line) &&
        !/^(taking down .*; )?bringing up |^up: |^cleaning up$|^cleaned up$/.test(line),
    )
    .join('\n')
    .trim();
}
