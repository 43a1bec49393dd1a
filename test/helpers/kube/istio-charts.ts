/**
 * Istio's own Helm charts, as the istio.io/istio module on the Go module proxy ships them, rendered with helm (also
 * built from the module proxy) by scripts/kube-test-env/build.sh into the kube test cache. Nothing of Istio is
 * typed by hand: the objects the tests apply are what `helm install … --set profile=ambient` would create.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { KUBE_VERSION, kubeCacheDir } from './cluster.ts';

export const ISTIO_NAMESPACE = 'istio-system';

export interface IstioFiles {
  pilotDiscovery: string;
  helm: string;
  charts: string;
  crds: string;
  /** `istio.io/istio <pseudo-version> helm <version>`, as build.sh recorded it. */
  version: string;
}

export function istioFiles(): IstioFiles {
  const dir = path.join(kubeCacheDir(), 'istio');
  const files = {
    pilotDiscovery: path.join(dir, 'bin', 'pilot-discovery'),
    helm: path.join(dir, 'bin', 'helm'),
    charts: path.join(dir, 'charts'),
    crds: path.join(dir, 'crds', 'crd-all.gen.yaml'),
  };
  const missing = [...Object.values(files), path.join(dir, 'version')].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`Istio test files missing (${missing.join(', ')}). Build them once with: bash scripts/kube-test-env/build.sh`);
  }
  return { ...files, version: readFileSync(path.join(dir, 'version'), 'utf8').trim() };
}

/** The charts of an ambient install, by the name build.sh gives their directory. */
export type IstioChart = 'base' | 'istio-discovery' | 'ztunnel' | 'istio-cni';

/**
 * `helm template RELEASE CHART -n istio-system --set profile=ambient --set …`: the objects helm would install, in
 * the order the chart renders them. Release names are those of Istio's Helm install guide (istiod, ztunnel,
 * istio-cni).
 */
export function renderIstioChart(files: IstioFiles, chart: IstioChart, release: string, values: Record<string, string> = {}): k8s.KubernetesObject[] {
  const args = ['template', release, path.join(files.charts, chart), '--namespace', ISTIO_NAMESPACE, '--kube-version', KUBE_VERSION, '--set', 'profile=ambient'];
  for (const [key, value] of Object.entries(values)) args.push('--set', `${key}=${value}`);
  const yaml = execFileSync(files.helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // Charts render empty documents for disabled templates: keep the objects only.
  return parseAllDocuments(yaml)
    .map((doc) => doc.toJS() as unknown)
    .filter((doc): doc is k8s.KubernetesObject => typeof (doc as k8s.KubernetesObject | null)?.kind === 'string');
}

export function findObject<T extends k8s.KubernetesObject>(objects: readonly k8s.KubernetesObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`Istio's chart rendered no ${kind} ${name} (rendered: ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')})`);
  return found as T;
}
