import { z } from 'zod';
import { API_VERSION } from '../scenario/schema.ts';
import { addProblem, integer, number, size } from '../scenario/fields.ts';
import { showValue } from '../scenario/show.ts';

/**
 * The fleet file `meshtax estimate` projects measured mesh costs onto: the one source of truth for its shape;
 * schemas/fleet.schema.json is generated from it (scripts/gen-schemas.ts). Sizes are bytes in the parsed form.
 */

const GIB = 1024 ** 3;
const TIB = 1024 * GIB;

const name = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(63, { error: (iss) => `must be at most 63 characters; got ${String(iss.input).length}` })
  .describe('Service name, for people')
  .meta({ examples: ['checkout'] });

const serviceSchema = z
  .strictObject({
    name,
    count: integer(1, 100_000)
      .default(1)
      .describe('How many services of this shape the fleet runs (default 1): `count: 60` stands for 60 services with these pods and rps each'),
    pods: integer(1, 100_000).describe('Pods of the service (replicas); each gets a sidecar in a sidecar mode'),
    rps: number(0, 10_000_000, 'must be requests per second from 0 to 10000000')
      .describe('Requests per second the service receives (each service, when count > 1)')
      .meta({ examples: [100] }),
  })
  .describe('One service, or `count` services of the same shape');

const priceSchema = z
  .strictObject({
    nodeMonth: number(0, 1_000_000, 'must be a price from 0 to 1000000')
      .optional()
      .describe('Price of one node for a month, in `currency`; money = nodes added × this'),
    coreHour: number(0, 1_000, 'must be a price from 0 to 1000').optional().describe('Price of one CPU core for an hour, in `currency`'),
    gibHour: number(0, 1_000, 'must be a price from 0 to 1000').optional().describe('Price of one GiB of memory for an hour, in `currency`'),
  })
  .superRefine((price, ctx) => {
    const perResource = [price.coreHour, price.gibHour].filter((value) => value !== undefined).length;
    if (price.nodeMonth === undefined && perResource === 0) {
      addProblem(ctx, 'needs nodeMonth, or coreHour and gibHour', 'for example nodeMonth: 450 (what one node costs a month)');
    } else if (perResource === 1) {
      addProblem(ctx, 'coreHour and gibHour go together: give both or neither', 'a node\'s memory costs money too; write gibHour: 0 if it does not');
    }
  })
  .describe('What capacity costs: per node-month, per core-hour and GiB-hour, or both (then both are shown)');

const nodeSchema = z
  .strictObject({
    count: integer(1, 1_000_000).describe('Nodes the fleet runs on today; node proxies (one per node, like ztunnel) scale with this'),
    cores: number(0.001, 10_000, 'must be a number of cores from 0.001 to 10000').describe('CPU cores of one node allocatable to pods'),
    memory: size({ min: 1, max: 64 * TIB }, 'expected a memory size such as 64GiB or 68719476736').describe(
      'Memory of one node allocatable to pods: bytes, or a size such as 64GiB',
    ),
  })
  .describe('The nodes the fleet runs on');

const networkTaxSchema = z
  .strictObject({
    engineerHoursPerMonth: number(0, 1_000_000, 'must be hours from 0 to 1000000').describe(
      'Engineer hours a month the team spends today on what a mesh does for it (mTLS, retries, certificates, traffic metrics)',
    ),
    hourlyCost: number(0, 100_000, 'must be a cost from 0 to 100000').describe('What one engineer hour costs, in `currency`'),
  })
  .describe('The "network tax" the team pays today without a mesh, to weigh against what each mode costs');

export const fleetSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION).describe(`Always ${API_VERSION}`),
    kind: z.literal('Fleet').describe('Always Fleet'),
    metadata: z
      .strictObject({ name: z.string().min(1).describe('Fleet name, for people').meta({ examples: ['shop'] }), description: z.string().optional() })
      .describe('Identifies the fleet'),
    currency: z.string().min(1).max(8).default('USD').describe('Currency of every price, shown beside money (default USD)'),
    nodes: nodeSchema,
    price: priceSchema,
    waypoints: integer(1, 100_000)
      .default(1)
      .describe('Waypoints the fleet would run in a waypoint mode (default 1; Istio commonly runs one per namespace)'),
    services: z
      .array(serviceSchema)
      .min(1, { error: 'must list at least one service' })
      .superRefine((services, ctx) => {
        const seen = new Map<string, number>();
        services.forEach((service, index) => {
          const first = seen.get(service.name);
          if (first !== undefined) {
            addProblem(ctx, `service ${showValue(service.name)} is listed twice (first at services[${first}])`, 'list each service once; use count for many of one shape', [index, 'name']);
          } else seen.set(service.name, index);
        });
      })
      .describe('The services that would join the mesh'),
    networkTax: networkTaxSchema.optional(),
  })
  .describe('A fleet of services for meshtax estimate');

export type Fleet = z.infer<typeof fleetSchema>;
export type FleetService = Fleet['services'][number];

/** Bytes in a GiB, the memory unit prices are given in. */
export const BYTES_PER_GIB = GIB;
