import type { OutageRecord } from '../../src/results/schema.ts';

/** A control-plane outage as run.json records it: istiod stopped from 1.2 s to 4.05 s, 7 requests failed in second 3. */
export const EMPTY_SPAN = { seconds: 0, requests: 0, failed: 0, errorRate: null, p50Us: null, p99Us: null };
export const OUTAGE: OutageRecord = {
  mesh: 'istio',
  components: [{ kind: 'Deployment', namespace: 'istio-system', name: 'istiod', replicas: 2 }],
  plannedAtS: 1,
  plannedDurationS: 3,
  startS: 1.2,
  restoreS: 4.05,
  restored: true,
  recovery: { controlPlaneReadyS: 2.5, firstOkSecond: 4, trafficRecoveredSecond: 5 },
  probePod: { name: 'outage-probe-abc', admitted: true, injected: true, readyDuringOutage: false, readyAfterS: 4.2 },
  traffic: { before: EMPTY_SPAN, during: EMPTY_SPAN, after: EMPTY_SPAN },
  seconds: ([0, 1, 2, 3, 4, 5] as const).map((second) => ({
    second,
    span: second < 1 ? 'before' : second < 5 ? 'during' : 'after',
    ok: 10,
    failed: second === 3 ? 7 : 0,
    p50Us: null,
    p99Us: null,
    maxUs: null,
  })),
  unplacedFailures: 0,
};
