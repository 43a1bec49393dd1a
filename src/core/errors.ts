import { EXIT, type ExitCode } from './exit-codes.ts';

/**
 * The base of every error meshtax raises on purpose. Its message says what is wrong and what to do; `exitCode` is
 * the documented exit code a command ends with when the error reaches the command line (1: the run failed, the
 * default; 2: invalid input, nothing was started). The command line prints such an error's `text()` without a
 * stack; any other error reaching it is a bug and is printed with its stack.
 */
export class MeshtaxError extends Error {
  readonly exitCode: ExitCode = EXIT.runFailed;

  /** What the command line prints for this error. */
  text(): string {
    return `meshtax: ${this.message}`;
  }
}

/** Input the user can fix (a flag, an argument, a file given): exit 2, nothing was started. */
export class InputError extends MeshtaxError {
  override readonly exitCode: ExitCode = EXIT.invalidInput;
}

/** A flag or argument that cannot be used as given. */
export class UsageError extends InputError {}
