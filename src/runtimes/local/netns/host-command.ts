import { execFileSync } from 'node:child_process';
import { execa } from 'execa';
import { MeshtaxError } from '../../../core/errors.ts';

/** A host networking command (ip, iptables) takes milliseconds; this bounds one that hangs. */
const COMMAND_TIMEOUT_MS = 10_000;

export class HostCommandError extends MeshtaxError {}

/** Runs `command args…` and returns its stdout; rejects with the command line and its stderr when it fails. */
export async function hostCommand(command: string, args: readonly string[]): Promise<string> {
  const result = await execa(command, args, {
    reject: false,
    timeout: COMMAND_TIMEOUT_MS,
    stdin: 'ignore',
    // Not part of meshtax's own clean-up on exit: a command half done is finished, not killed.
    cleanup: false,
  });
  if (result.failed) {
    const reason = (result.stderr || result.originalMessage || result.shortMessage || 'unknown error').trim();
    throw new HostCommandError(`${[command, ...args].join(' ')} failed: ${reason}`);
  }
  return result.stdout;
}

/**
 * The same, synchronously, for clean-up while the process exits (no event loop left): returns stdout, or
 * undefined when the command failed, which clean-up ignores (the thing to remove may be gone already).
 */
export function hostCommandSync(command: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      timeout: COMMAND_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}
