import { ApiException } from '@kubernetes/client-node';
import { MeshtaxError } from '../../../core/errors.ts';

/** The HTTP status of a failed API call, or undefined when the call did not get an answer. */
export function apiStatus(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return apiStatus(error) === 404;
}

/** What the API server said (its Status message), or why there was no answer; for people. */
export function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = error.body;
    let text = typeof body === 'string' ? body : '';
    try {
      const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
      if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') text = parsed.message;
    } catch {
      // not JSON: keep the text
    }
    // A kubelet's own answers end in a newline ("404 page not found\n"): one line for messages.
    text = text.trim();
    return `HTTP ${error.code}${text ? `: ${text}` : ''}`;
  }
  if (error instanceof ClusterError) return error.message;
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = 'code' in cause && cause.code !== undefined ? String(cause.code) : '';
      return `${error.message} (${code && !cause.message.includes(code) ? `${code}: ` : ''}${cause.message})`;
    }
    return error.message;
  }
  return String(error);
}

/** An API failure with what meshtax was doing when it happened. */
export class ClusterError extends MeshtaxError {}

export async function during<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new ClusterError(`${what}: ${apiMessage(error)}`, { cause: error });
  }
}
