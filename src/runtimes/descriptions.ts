import { z } from 'zod';
import type { RuntimeFacts } from './facts.ts';
import { kubernetesDescriptionSchema, kubernetesFacts } from './kubernetes/description.ts';
import { localDescriptionSchema, localFacts } from './local/description.ts';

/**
 * How each runtime describes itself in run.json (environment.runtime), told apart by `name`. Kept apart from
 * registry.ts so that reading a run.json loads the descriptions' schemas only, never a runtime or the Kubernetes
 * client. A third runtime adds its schema and facts here, in its own folder, and nowhere else.
 */
export const runtimeDescriptionSchema = z
  .discriminatedUnion('name', [localDescriptionSchema, kubernetesDescriptionSchema])
  .describe('the runtime that hosted the modes, described by itself; name says which');

export type RuntimeDescription = z.infer<typeof runtimeDescriptionSchema>;

type FactsOf = { [Name in RuntimeDescription['name']]: (description: Extract<RuntimeDescription, { name: Name }>) => RuntimeFacts };

const FACTS: FactsOf = { local: localFacts, kubernetes: kubernetesFacts };

/** What a run's runtime says about itself for reports and commands: each runtime reads its own description. */
export function runtimeFacts(description: RuntimeDescription): RuntimeFacts {
  const facts = FACTS[description.name] as (description: RuntimeDescription) => RuntimeFacts;
  return facts(description);
}
