import { z } from 'zod';
import type { RuntimeFacts } from '../facts.ts';
import { echoWorkloadSchema } from '../workload-description.ts';

const nullableString = (what: string) => z.string().nullable().describe(`${what}; null when unknown`);

const nodeSchema = z.strictObject({
  name: z.string(),
  instanceType: nullableString('node.kubernetes.io/instance-type label'),
  kubelet: nullableString('kubelet version'),
  os: nullableString('OS image'),
  kernel: nullableString('kernel version'),
  containerRuntime: nullableString('container runtime and version'),
});

/** run.json's environment.runtime for runtime kubernetes: written by the Kubernetes runtime, read back by every report. */
export const kubernetesDescriptionSchema = z
  .strictObject({
    name: z.literal('kubernetes'),
    context: nullableString('kubeconfig context'),
    server: nullableString('API server URL'),
    kubernetesVersion: nullableString('the API server\'s version; null when the run ended before reaching it'),
    serverNode: nullableString('node of the echo server'),
    clientNode: nullableString('node of the load generator'),
    nodes: z.array(nodeSchema).describe('the nodes the run used'),
    meshes: z
      .array(z.strictObject({ mesh: z.string(), namespace: z.string(), version: z.string() }))
      .describe('the meshes the modes needed, as installed in the cluster'),
    cni: nullableString('CNI, guessed from the DaemonSets'),
    metricsSource: nullableString('where CPU and memory came from: kubelet or metrics.k8s.io'),
    image: z.string().describe('the image running the echo server and the load generator'),
    workload: z
      .discriminatedUnion('kind', [
        echoWorkloadSchema,
        z.strictObject({
          kind: z.literal('image'),
          image: z.string().describe('the team\'s image, as workload.image named it'),
          port: z.number().int().describe('the port it listens on'),
        }),
      ])
      .optional()
      .describe('the server under test; absent in runs written before it was recorded'),
    podSecurity: z
      .strictObject({
        level: z.enum(['restricted', 'baseline']).describe('the Pod Security level the run\'s pods were made to meet'),
        relaxed: z.boolean().describe('true when the scenario relaxed it from restricted'),
        enforcedIn: z.array(z.string()).describe('namespaces that enforced the level'),
        warnedIn: z.array(z.string()).describe('namespaces that only warned (the mesh adds containers the level may refuse)'),
      })
      .optional()
      .describe('absent in runs written before it was recorded'),
    namespaces: z.array(z.string()).describe('the namespaces the run created, one per mode'),
    kept: z.boolean().describe('true when run --keep left the namespaces in place'),
  })
  .describe('Runtime kubernetes: pods in a cluster');

export type KubernetesDescription = z.infer<typeof kubernetesDescriptionSchema>;

/** What the reports say about a Kubernetes run: the cluster and its meshes; and what --keep left. */
export function kubernetesFacts(description: KubernetesDescription): RuntimeFacts {
  const { context, kubernetesVersion, cni, serverNode, clientNode, namespaces, kept } = description;
  const meshes = description.meshes.map((m) => `${m.mesh} ${m.version}`).join(', ') || 'none';
  return {
    line:
      kubernetesVersion === null
        ? undefined
        : `cluster: ${context ?? '?'} (Kubernetes ${kubernetesVersion}${cni ? `, CNI ${cni}` : ''}); meshes: ${meshes}; server ${serverNode ?? '?'}, client ${clientNode ?? '?'}`,
    proxy: undefined,
    mtls: undefined,
    keptNote: (runId) => (kept && namespaces.length > 0 ? `kept ${namespaces.join(', ')}; remove them with meshtax cleanup --run-id ${runId}` : undefined),
  };
}
