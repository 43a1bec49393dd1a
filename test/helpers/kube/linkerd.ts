/**
 * A double of Linkerd on the test cluster. Linkerd's injector cannot be built here (the Go module proxy refuses
 * github.com/linkerd/linkerd2 with 403) and its Helm chart is served by no registry this machine reaches, so what
 * its chart installs and what its proxy injector patches into a pod are written from linkerd/linkerd2 source
 * (edge-26.8.3, commit b24cd4059841), each fact with its file:line:
 *
 * - control plane (charts/linkerd-control-plane/templates/): Deployments linkerd-destination (destination.yaml:135-172),
 *   linkerd-identity and linkerd-proxy-injector (proxy-injector.yaml:20-27), labelled
 *   `linkerd.io/control-plane-component: <component>`, `linkerd.io/control-plane-ns`, `app.kubernetes.io/name`,
 *   `app.kubernetes.io/part-of: Linkerd`; selector and pods add `linkerd.io/proxy-deployment: <name>`
 *   (destination.yaml:124-126, 152-155; partials/templates/_metadata.tpl:15-17 `partials.proxy.labels`); image
 *   cr.l5d.io/linkerd/controller (values.yaml:419). The namespace `linkerd` (namespace.yaml:8-17).
 * - the MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config (proxy-injector-rbac.yaml:81-120): one
 *   webhook linkerd-proxy-injector.linkerd.io, CREATE of pods and services, the namespace selector of values.yaml:523-533
 *   and object selector of values.yaml:536-541, failure policy Ignore (values.yaml:416); served here by this process
 *   on loopback instead of the linkerd-proxy-injector Service.
 * - whether to inject (pkg/inject/report.go:201-227): the pod's or its namespace's annotation `linkerd.io/inject`
 *   (enabled/ingress), a pod's `disabled` overriding its namespace's; never a hostNetwork pod (report.go:140-141).
 * - what is injected (charts/patch/templates/patch.json): with `proxy.nativeSidecar` (default true,
 *   values.yaml:255; per pod `config.linkerd.io/proxy-enable-native-sidecar`, pkg/inject/inject.go:429-445) the
 *   `linkerd-init` init container first, then `linkerd-proxy` as the next init container (patch.json:11, 73-78,
 *   133-136) with `restartPolicy: Always` (partials/templates/_proxy.tpl:333-334); without it, linkerd-init and
 *   `linkerd-proxy` as the first app container, since `proxy.await` is true by default (values.yaml:235,
 *   patch.json:137-138). linkerd-init: image cr.l5d.io/linkerd/proxy, capabilities NET_ADMIN and NET_RAW, run as
 *   65534 since proxyInit.runAsRoot is false (_proxy-init.tpl:49-88, values.yaml:361), the xtables lock volume at
 *   /run (patch.json:64-72, values.yaml:366-368). linkerd-proxy: ports
 *   linkerd-proxy 4143 and linkerd-admin 4191 (_proxy.tpl:257-262, values.yaml:167-171), readiness on /ready of the
 *   admin port (_proxy.tpl:263-266), securityContext allowPrivilegeEscalation false, readOnlyRootFilesystem,
 *   runAsNonRoot, user 2102 and no group since proxy.gid is -1, seccompProfile RuntimeDefault (_proxy.tpl:281-296,
 *   values.yaml:220-222), the volume linkerd-identity-end-entity (patch.json:95-105); container names from
 *   pkg/k8s/labels.go:354, 365. Pod labels `linkerd.io/control-plane-ns` and `linkerd.io/workload-ns`
 *   (pkg/inject/inject.go:640, 1020), annotation `linkerd.io/created-by` (controller/proxy-injector/webhook.go:104)
 *   and `linkerd.io/proxy-version` (partials/templates/_metadata.tpl:6).
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import * as k8s from '@kubernetes/client-node';
import type { TestCluster } from './cluster.ts';

export const LINKERD_NAMESPACE = 'linkerd';
export const LINKERD_VERSION = 'edge-26.8.3';
/** The injector's MutatingWebhookConfiguration (proxy-injector-rbac.yaml:81-120). */
export const LINKERD_WEBHOOK = 'linkerd-proxy-injector-webhook-config';

export interface LinkerdDouble {
  /** Pods the injector double patched, as `namespace/generateName`. */
  injected: string[];
  stop(): Promise<void>;
}

interface AdmissionRequest {
  uid: string;
  kind: { kind: string };
  namespace: string;
  object: k8s.V1Pod;
}

type Patch = { op: 'add'; path: string; value: unknown };

const INJECT = 'linkerd.io/inject';
const NATIVE = 'config.linkerd.io/proxy-enable-native-sidecar';

/** The JSON patch Linkerd's injector would return for this pod, or undefined when it would leave it alone. */
export function linkerdPatch(pod: k8s.V1Pod, namespace: string, namespaceAnnotations: Record<string, string>): Patch[] | undefined {
  const podInject = pod.metadata?.annotations?.[INJECT] ?? '';
  const nsInject = namespaceAnnotations[INJECT] ?? '';
  const enables = (value: string): boolean => value === 'enabled' || value === 'ingress';
  const inject = enables(nsInject) ? podInject !== 'disabled' : enables(podInject);
  if (!inject || pod.spec?.hostNetwork) return undefined;
  const native = (pod.metadata?.annotations?.[NATIVE] ?? 'true') !== 'false';
  const image = `cr.l5d.io/linkerd/proxy:${LINKERD_VERSION}`;
  const init: k8s.V1Container = {
    name: 'linkerd-init',
    image,
    command: ['/usr/lib/linkerd/linkerd2-proxy-init'],
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'] },
      privileged: false,
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      readOnlyRootFilesystem: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [{ mountPath: '/run', name: 'linkerd-proxy-init-xtables-lock' }],
  };
  const proxy: k8s.V1Container = {
    name: 'linkerd-proxy',
    image,
    ports: [
      { containerPort: 4143, name: 'linkerd-proxy' },
      { containerPort: 4191, name: 'linkerd-admin' },
    ],
    readinessProbe: { httpGet: { path: '/ready', port: 4191 } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 2102, seccompProfile: { type: 'RuntimeDefault' } },
    volumeMounts: [{ mountPath: '/var/run/linkerd/identity/end-entity', name: 'linkerd-identity-end-entity' }],
    ...(native ? { restartPolicy: 'Always' } : {}),
  };
  const patch: Patch[] = [];
  if (!pod.metadata?.labels) patch.push({ op: 'add', path: '/metadata/labels', value: {} });
  if (!pod.metadata?.annotations) patch.push({ op: 'add', path: '/metadata/annotations', value: {} });
  patch.push({ op: 'add', path: '/metadata/labels/linkerd.io~1control-plane-ns', value: LINKERD_NAMESPACE });
  patch.push({ op: 'add', path: '/metadata/labels/linkerd.io~1workload-ns', value: namespace });
  patch.push({ op: 'add', path: '/metadata/annotations/linkerd.io~1created-by', value: `linkerd/proxy-injector ${LINKERD_VERSION}` });
  patch.push({ op: 'add', path: '/metadata/annotations/linkerd.io~1proxy-version', value: LINKERD_VERSION });
  if (!pod.spec?.volumes) patch.push({ op: 'add', path: '/spec/volumes', value: [] });
  if (!pod.spec?.initContainers) patch.push({ op: 'add', path: '/spec/initContainers', value: [] });
  patch.push({ op: 'add', path: '/spec/volumes/-', value: { emptyDir: {}, name: 'linkerd-proxy-init-xtables-lock' } });
  patch.push({ op: 'add', path: `/spec/initContainers/${native ? '0' : '-'}`, value: init });
  patch.push({ op: 'add', path: '/spec/volumes/-', value: { name: 'linkerd-identity-end-entity', emptyDir: { medium: 'Memory' } } });
  patch.push({ op: 'add', path: native ? '/spec/initContainers/1' : '/spec/containers/0', value: proxy });
  return patch;
}

async function servingCertificate(): Promise<{ cert: string; key: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=linkerd-proxy-injector.linkerd.svc',
    keys,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 24 * 3600_000),
    signingAlgorithm: algorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { cert: `${cert.toString('pem').trimEnd()}\n`, key: `${key.trimEnd()}\n` };
}

function controlPlane(component: string, name: string): k8s.V1Deployment {
  const selector = { 'linkerd.io/control-plane-component': component, 'linkerd.io/control-plane-ns': LINKERD_NAMESPACE, 'linkerd.io/proxy-deployment': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: LINKERD_NAMESPACE,
      labels: {
        'app.kubernetes.io/name': component,
        'app.kubernetes.io/part-of': 'Linkerd',
        'app.kubernetes.io/version': LINKERD_VERSION,
        'linkerd.io/control-plane-component': component,
        'linkerd.io/control-plane-ns': LINKERD_NAMESPACE,
      },
    },
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, 'linkerd.io/workload-ns': LINKERD_NAMESPACE } },
        spec: { containers: [{ name: component, image: `cr.l5d.io/linkerd/controller:${LINKERD_VERSION}` }] },
      },
    },
  };
}

export async function startLinkerd(cluster: TestCluster): Promise<LinkerdDouble> {
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  const injected: string[] = [];
  const { cert, key } = await servingCertificate();

  const server = https.createServer({ cert, key }, (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      void (async () => {
        const review = JSON.parse(body) as { apiVersion: string; request: AdmissionRequest };
        const { uid, kind, namespace, object } = review.request;
        let patch: Patch[] | undefined;
        if (kind.kind === 'Pod') {
          const ns = await core.readNamespace({ name: namespace });
          patch = linkerdPatch(object, namespace, ns.metadata?.annotations ?? {});
          if (patch) injected.push(`${namespace}/${object.metadata?.generateName ?? object.metadata?.name ?? ''}`);
        }
        const answer = patch ? { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') } : { uid, allowed: true };
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: answer }));
      })().catch((error: unknown) => {
        response.writeHead(500);
        response.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  await core.createNamespace({
    body: {
      metadata: {
        name: LINKERD_NAMESPACE,
        annotations: { [INJECT]: 'disabled' },
        labels: { 'linkerd.io/is-control-plane': 'true', 'config.linkerd.io/admission-webhooks': 'disabled', 'linkerd.io/control-plane-ns': LINKERD_NAMESPACE, 'pod-security.kubernetes.io/enforce': 'privileged' },
      },
    },
  });
  for (const [component, name] of [
    ['destination', 'linkerd-destination'],
    ['identity', 'linkerd-identity'],
    ['proxy-injector', 'linkerd-proxy-injector'],
  ] as const) {
    await apps.createNamespacedDeployment({ namespace: LINKERD_NAMESPACE, body: controlPlane(component, name) });
  }
  await admission.createMutatingWebhookConfiguration({
    body: {
      metadata: { name: LINKERD_WEBHOOK, labels: { 'linkerd.io/control-plane-component': 'proxy-injector', 'linkerd.io/control-plane-ns': LINKERD_NAMESPACE } },
      webhooks: [
        {
          name: 'linkerd-proxy-injector.linkerd.io',
          namespaceSelector: {
            matchExpressions: [
              { key: 'config.linkerd.io/admission-webhooks', operator: 'NotIn', values: ['disabled'] },
              { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'cert-manager'] },
            ],
          },
          objectSelector: {
            matchExpressions: [
              { key: 'linkerd.io/control-plane-component', operator: 'DoesNotExist' },
              { key: 'linkerd.io/cni-resource', operator: 'DoesNotExist' },
            ],
          },
          clientConfig: { url: `https://127.0.0.1:${port}/`, caBundle: Buffer.from(cert).toString('base64') },
          failurePolicy: 'Ignore',
          admissionReviewVersions: ['v1', 'v1beta1'],
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'services'], scope: 'Namespaced' }],
          sideEffects: 'None',
          timeoutSeconds: 10,
        },
      ],
    },
  });

  return {
    injected,
    async stop() {
      await admission.deleteMutatingWebhookConfiguration({ name: LINKERD_WEBHOOK }).catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
