import { z } from 'zod';
import { duration } from './fields.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * A control-plane outage inside every measured phase of a mode that has a control plane: `at` into the measured
 * window (warmup excluded) the control plane is made unavailable for `duration`, then restored, and the phase
 * records what traffic, a pod started meanwhile and the recovery did.
 */
const controlPlaneOutageSchema = z
  .strictObject({
    at: duration({ min: 0, max: 24 * HOUR }).describe('When the outage starts, counted from the start of the measured window, as 2s; 0 to 24h'),
    duration: duration({ min: SECOND, max: HOUR }).describe('How long the control plane stays unavailable, as 3s; 1s to 1h, ending at least 2s before the measured window does'),
    probePod: z
      .boolean()
      .default(true)
      .describe('Start a pod of the workload in the mode\'s namespace as the outage begins and report whether it is admitted, gets its proxy and turns Ready'),
    recoveryTimeout: duration({ min: SECOND, max: HOUR })
      .prefault('2m')
      .describe('How long to wait after restoring for the control plane to be Ready again (and the probe pod), as 2m; 1s to 1h'),
  })
  .describe('Make the mesh\'s control plane unavailable for a while inside each phase of a meshed mode, then restore it');

export const faultsSchema = z
  .strictObject({
    allowControlPlaneOutage: z
      .boolean()
      .default(false)
      .describe('Consent to take the mesh\'s control plane down (scale it to zero); the cluster must also allow it (meshtax doctor shows whether it does)'),
    controlPlaneOutage: controlPlaneOutageSchema.optional(),
  })
  // Absent unless written: a resolved scenario without faults stays what it was, and lines up with earlier runs.
  .optional()
  .describe('Faults injected during the measured phases; each needs its own consent');

export type Faults = NonNullable<z.output<typeof faultsSchema>>;
export type ControlPlaneOutagePlan = NonNullable<Faults['controlPlaneOutage']>;
