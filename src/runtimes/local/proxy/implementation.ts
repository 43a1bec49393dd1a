import type { StartedChild } from '../child.ts';
import type { ProxyIdentity, ProxySpec } from './types.ts';

/**
 * A way to run proxies. start() resolves once every listener of the spec accepts connections, and rejects with
 * the tail of the proxy's stderr when it cannot start; the returned child is stopped by the runtime's clean-up.
 * With `netns` the proxy runs in that network namespace (`ip netns exec`), its listeners bound there.
 */
export interface ProxyImplementation {
  readonly identity: ProxyIdentity;
  start(spec: ProxySpec, workDir: string, signal?: AbortSignal, netns?: string): Promise<StartedChild>;
}
