import { builtinProxy } from './builtin.ts';
import { detectHaproxy } from './haproxy.ts';
import type { ProxyImplementation } from './implementation.ts';
import { MeshtaxError } from '../../../core/errors.ts';

export class ProxyUnavailable extends MeshtaxError {}

/**
 * The proxy a run uses: `haproxy` insists on HAProxy, `builtin` on meshtax's own Node proxy, `auto` takes HAProxy
 * when it is installed (a real, widely deployed proxy) and the built-in one otherwise, so the quick start runs on
 * any machine. Which one was used is recorded in run.json.
 */
export async function chooseProxy(preference: 'auto' | 'haproxy' | 'builtin'): Promise<ProxyImplementation> {
  if (preference === 'builtin') return builtinProxy;
  const haproxy = await detectHaproxy();
  if (haproxy) return haproxy;
  if (preference === 'haproxy') {
    throw new ProxyUnavailable(
      'local.proxy is haproxy but no haproxy is on the PATH; install it (apt-get install haproxy) or set local.proxy: auto',
    );
  }
  return builtinProxy;
}
