/** Exit codes are part of meshtax's interface; scripts and CI jobs rely on them. */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** The run failed: a process died, the target refused connections, a runtime error. */
  runFailed: 1,
  /** Invalid input: the scenario, a flag or an argument; nothing was started. */
  invalidInput: 2,
  /** A threshold or regression gate failed. */
  gateFailed: 3,
  /** Interrupted (Ctrl-C or SIGTERM), after clean-up. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0    ok
  1    the run failed (a process died, the target refused connections, a runtime error)
  2    invalid input (scenario, flag or argument); nothing was started
  3    a threshold or regression gate failed
  130  interrupted (Ctrl-C or SIGTERM), after clean-up`;
