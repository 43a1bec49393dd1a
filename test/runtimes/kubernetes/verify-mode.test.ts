import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { modeProblem } from '../../../src/runtimes/kubernetes/verify-mode.ts';

function pod(containers: string[], annotations: Record<string, string> = {}, nativeSidecars: string[] = []): V1Pod {
  return {
    metadata: { name: 'echo-1', annotations },
    spec: { initContainers: nativeSidecars.map((name) => ({ name })), containers: containers.map((name) => ({ name })) },
  };
}

describe('proof that a mode is in effect', () => {
  it('accepts a clean baseline and refuses one a mesh got into', () => {
    expect(modeProblem('baseline', pod(['echo']), 'echo')).toBeUndefined();
    expect(modeProblem('baseline', pod(['echo', 'istio-proxy']), 'echo')).toBe(
      "mode baseline is not in effect: pod echo-1 has containers istio-proxy besides echo, injected by an admission webhook (a mesh or another tool) despite the namespace's opt-out",
    );
    expect(modeProblem('baseline', pod(['echo'], { 'ambient.istio.io/redirection': 'enabled' }), 'echo')).toMatch(/captured by Istio ambient/);
  });

  it('needs the proxy container of the sidecar modes, native sidecars included', () => {
    expect(modeProblem('linkerd', pod(['echo']), 'echo')).toBe(
      'mode linkerd is not in effect: pod echo-1 has no linkerd-proxy container (containers: echo); is the Linkerd proxy injector running (linkerd check)?',
    );
    expect(modeProblem('linkerd', pod(['echo'], {}, ['linkerd-proxy']), 'echo')).toBeUndefined();
    expect(modeProblem('istio-sidecar', pod(['echo', 'istio-proxy']), 'echo')).toBeUndefined();
    expect(modeProblem('istio-sidecar', pod(['echo', 'linkerd-proxy']), 'echo')).toMatch(/has no istio-proxy container/);
  });

  it('needs the ambient redirection annotation in the ambient modes', () => {
    expect(modeProblem('istio-ambient', pod(['echo']), 'echo')).toMatch(/lacks the annotation ambient\.istio\.io\/redirection: enabled/);
    expect(modeProblem('istio-waypoint', pod(['echo'], { 'ambient.istio.io/redirection': 'enabled' }), 'echo')).toBeUndefined();
  });

  it('blames ztunnel, not istio-cni, for a pod left pending', () => {
    // Upstream: pending means the redirection is in but no ztunnel has accepted the pod yet.
    const pending = { ...pod(['echo'], { 'ambient.istio.io/redirection': 'pending' }), spec: { nodeName: 'node-a', containers: [{ name: 'echo' }] } };
    expect(modeProblem('istio-ambient', pending, 'echo')).toBe(
      'mode istio-ambient is not in effect: pod echo-1 has ambient.istio.io/redirection: pending: istio-cni redirected its traffic but no ztunnel has accepted the pod yet (is the ztunnel pod on node node-a running? kubectl logs -n istio-system -l app=ztunnel)',
    );
  });
});
