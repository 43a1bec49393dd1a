import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { MeshtaxError } from '../../../core/errors.ts';

export class LogRequestError extends MeshtaxError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Follows a container's log through the API server, line by line, until the log ends, the connection drops or
 * `signal` aborts (all three resolve: the caller reads the whole log again to know what it missed). A refusal
 * (a container not started yet, no permission) rejects with the API server's message. Written on node:https with
 * the kubeconfig's own TLS and credentials because @kubernetes/client-node's Log leaves stream errors unhandled,
 * which ends the process when a follow is aborted.
 */
export async function followLog(
  config: KubeConfig,
  target: { namespace: string; pod: string; container: string },
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new LogRequestError(0, 'no current cluster in the kubeconfig');
  const url = new URL(`${cluster.server.replace(/\/$/, '')}/api/v1/namespaces/${target.namespace}/pods/${target.pod}/log`);
  url.searchParams.set('container', target.container);
  url.searchParams.set('follow', 'true');
  const options: https.RequestOptions = {};
  await config.applyToHTTPSOptions(options);
  const client = url.protocol === 'http:' ? http : https;
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return resolve();
    const request = client.request(url, { ...options, method: 'GET' }, (response) => {
      if (response.statusCode !== 200) {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => reject(new LogRequestError(response.statusCode ?? 0, statusMessage(body, response.statusCode))));
        response.on('error', () => reject(new LogRequestError(response.statusCode ?? 0, statusMessage(body, response.statusCode))));
        return;
      }
      const lines = createInterface({ input: response, crlfDelay: Infinity });
      lines.on('line', onLine);
      // The last line is handed over before close; an error or a dropped connection ends the stream the same way.
      lines.on('close', () => resolve());
      lines.on('error', () => resolve());
      response.on('error', () => resolve());
      response.on('close', () => resolve());
    });
    const onAbort = (): void => {
      request.destroy();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => (signal.aborted ? resolve() : reject(new LogRequestError(0, error.message))));
    request.on('close', () => signal.removeEventListener('abort', onAbort));
    request.end();
  });
}

/** The API server's Status message of a refusal, or the body itself. */
export function statusMessage(body: string, status: number | undefined): string {
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed.message) return `HTTP ${status}: ${parsed.message}`;
  } catch {
    // not a Status object
  }
  return `HTTP ${status}${body ? `: ${body.trim()}` : ''}`;
}
