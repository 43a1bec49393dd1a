import { z } from 'zod';
import { duration, integer } from './fields.ts';
import { showValue } from './show.ts';

/** The `kubernetes:` section of a scenario (runtime: kubernetes). Durations in milliseconds once parsed. */

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** A Kubernetes resource quantity such as 500m, 1, 1.5, 256Mi or 1G (the API server's own grammar, simplified). */
export const quantity = (what: string, example: string) =>
  z
    .union([z.string(), z.number()], { error: (iss) => `${what} must be a Kubernetes quantity such as ${example}; got ${showValue(iss.input)}` })
    .transform((value) => String(value))
    .pipe(
      z.string().regex(/^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, {
        error: (iss) => `${what} must be a Kubernetes quantity such as ${example}; got ${showValue(iss.input)}`,
      }),
    );

const containerResources = (cpu: string, memory: string) =>
  z
    .strictObject({
      cpu: quantity('cpu', '500m or 2').default(cpu).describe('CPU request and limit (equal: Guaranteed QoS), e.g. 500m or 2'),
      memory: quantity('memory', '256Mi or 1Gi').default(memory).describe('memory request and limit, e.g. 256Mi'),
    })
    .prefault({});

const labelMap = z
  .record(z.string().min(1), z.string())
  .refine((labels) => Object.keys(labels).length > 0, { error: 'must name at least one label' });

const placementTarget = z
  .strictObject({
    node: z.string().min(1).optional().describe('node name to pin these pods to'),
    selector: labelMap.optional().describe('node labels the chosen node must carry, e.g. {node-role: bench}'),
  })
  .refine((target) => !(target.node && target.selector), { error: 'give node or selector, not both' })
  .prefault({});

export const kubernetesSchema = z
  .strictObject({
    context: z.string().min(1, { error: 'must not be empty' }).optional().describe('kubeconfig context to use; default: the current context (--context overrides)'),
    image: z
      .string()
      .min(1)
      .default('docker.io/library/node:24-alpine')
      .describe('Stock Node.js image that runs meshtax\'s echo server and load generator (its code is delivered in a ConfigMap); override for a private registry mirror'),
    imagePullPolicy: z
      .enum(['Always', 'IfNotPresent', 'Never'])
      .optional()
      .describe('Pull policy of the echo server and generator containers; default: Kubernetes\' own (IfNotPresent for a tagged image). Never for an image loaded onto the nodes without a registry'),
    imagePullSecrets: z.array(z.string().min(1)).default([]).describe('Secrets in each mode namespace are not created by meshtax; names listed here are referenced by the pods'),
    podSecurity: z
      .enum(['restricted', 'baseline'])
      .default('restricted')
      .describe(
        'Pod Security Standard that meshtax\'s pods and your workload.image are made to meet, enforced on the namespaces that hold only meshtax\'s pods and warned on the others: restricted (non-root, no capabilities), or baseline for an image that needs root; run.json records a relaxed level',
      ),
    istio: z
      .strictObject({
        revision: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).optional().describe('Istio revision for istio-sidecar (label istio.io/rev) instead of istio-injection=enabled'),
      })
      .prefault({})
      .describe('Istio settings'),
    resources: z
      .strictObject({
        app: containerResources('1', '256Mi').describe('echo server container'),
        loadgen: containerResources('1', '512Mi').describe('load generator container'),
      })
      .prefault({})
      .describe('Requests and limits of meshtax\'s containers (mesh proxies keep the mesh\'s own settings)'),
    generator: z
      .strictObject({
        maxRatePerPod: integer(1, 1_000_000).default(2000).describe('Largest rate one generator pod drives; a higher rate is split over several pods whose histograms merge exactly'),
        startDelay: duration({ min: 0, max: 10 * MINUTE }).prefault('15s').describe('With several generator pods: how long after creating them they all start, so their windows line up'),
      })
      .prefault({})
      .describe('The in-cluster load generator'),
    placement: z
      .strictObject({
        server: placementTarget.describe('where the echo server runs (default: the first schedulable node by name)'),
        client: placementTarget.describe('where the load generator runs (default: another schedulable node)'),
      })
      .prefault({})
      .describe('Node placement: client and server on different nodes, the same nodes for every mode'),
    modesAtOnce: integer(1, 6)
      .default(1)
      .describe(
        'How many modes have their echo server deployed at the same time; the others are scaled to zero and brought back for their phases, so repetitions stay interleaved on a node that cannot hold every mode at once (1: one at a time)',
      ),
    idleWindow: duration({ min: 0, max: 10 * MINUTE })
      .prefault('12s')
      .describe('How long the idle level of CPU and memory is measured before each phase (the kubelet refreshes its stats on its housekeeping interval, 10 s by default); 0 skips it'),
    timeouts: z
      .strictObject({
        rollout: duration({ min: SECOND, max: 60 * MINUTE }).prefault('5m').describe('How long a Deployment or waypoint may take to become ready'),
        podStart: duration({ min: SECOND, max: 60 * MINUTE }).prefault('3m').describe('How long a generator pod may take to start (image pull included)'),
        cleanup: duration({ min: SECOND, max: 60 * MINUTE }).prefault('5m').describe('How long deleting the run\'s namespaces may take before meshtax reports them stuck'),
      })
      .prefault({})
      .describe('Timeouts of cluster operations'),
  })
  .prefault({})
  .describe('Settings for runtime: kubernetes');

export type KubernetesSettings = z.output<typeof kubernetesSchema>;
