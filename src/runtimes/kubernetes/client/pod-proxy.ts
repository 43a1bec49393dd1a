import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { statusMessage } from './follow-log.ts';

/** How long one read through the pod proxy may take. */
const TIMEOUT_MS = 10_000;

/**
 * GET `PATH` on port `port` of a pod through the API server's pod proxy (`pods/NAME:PORT/proxy/PATH`), as text,
 * whatever media type the pod answers with. The generated client's connectGetNamespacedPodProxyWithPath refuses
 * media types it does not know, and ztunnel answers `application/openmetrics-text` to a client that accepts it
 * (istio/ztunnel src/metrics/server.rs:87-125), so this is written on node:https with the kubeconfig's own TLS and
 * credentials. Rejects with the API server's message (or the pod's answer) on any status but 200.
 */
export async function getThroughPodProxy(config: KubeConfig, target: { namespace: string; pod: string; port: number; path: string }): Promise<string> {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error('no current cluster in the kubeconfig');
  const url = new URL(
    `${cluster.server.replace(/\/$/, '')}/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(`${target.pod}:${target.port}`)}/proxy/${target.path}`,
  );
  const options: https.RequestOptions = {};
  await config.applyToHTTPSOptions(options);
  const client = url.protocol === 'http:' ? http : https;
  return new Promise<string>((resolve, reject) => {
    const request = client.request(url, { ...options, method: 'GET', headers: { ...options.headers, accept: 'text/plain' }, timeout: TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolve(body) : reject(new Error(statusMessage(body, response.statusCode)))));
      response.on('error', (error) => reject(error));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    request.on('error', (error) => reject(error));
    request.end();
  });
}
