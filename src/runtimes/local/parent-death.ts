import { execa } from 'execa';

/** Sent to a child when the process that started it dies: an immediate stop, like meshtax's own stop(). */
export const PARENT_DEATH_SIGNAL = 'TERM';

/**
 * Whether `setpriv --pdeathsig` exists and works here (util-linux 2.33 and later, Linux). A child started as
 * `setpriv --pdeathsig TERM -- <command>` gets PR_SET_PDEATHSIG (Node has no prctl) and setpriv then exec()s the
 * command, so the pid meshtax holds is the command's own and it stops even when meshtax is killed with SIGKILL.
 */
export async function setprivWorks(): Promise<boolean> {
  const result = await execa('setpriv', ['--pdeathsig', PARENT_DEATH_SIGNAL, '--', 'true'], {
    reject: false,
    timeout: 5000,
    stdin: 'ignore',
  });
  return !result.failed;
}

/** `command args…` as started under a parent-death signal when `stopsWithParent`, else as given. */
export function withParentDeath(stopsWithParent: boolean, command: string, args: readonly string[]): [string, string[]] {
  return stopsWithParent ? ['setpriv', ['--pdeathsig', PARENT_DEATH_SIGNAL, '--', command, ...args]] : [command, [...args]];
}
