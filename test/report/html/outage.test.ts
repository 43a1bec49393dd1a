import { describe, expect, it } from 'vitest';
import { htmlReport } from '../../../src/report/html/index.ts';
import { pilotHtml } from '../../../src/report/pilot/html.ts';
import { OUTAGE } from '../outage-fixture.ts';
import { syntheticRun } from './fixture.ts';

/** The synthetic run with an outage in its second phase, as faults.controlPlaneOutage records it. */
function runWithOutage() {
  const run = syntheticRun();
  const phases = run.phases.map((phase, index) => (index === 1 ? { ...phase, controlPlaneOutage: OUTAGE } : phase));
  return { run: { ...run, phases }, phase: phases[1]! };
}

describe('the control-plane outage in report.html', () => {
  it('shows what was stopped, the recovery and the probe pod, as the text reports do, and every second folded', () => {
    const { run, phase } = runWithOutage();
    const html = htmlReport(run);
    expect(html).toContain('<h2 id="h-outage">Control-plane outage</h2>');
    expect(html).toContain('<td>istio-system/istiod (2)</td>');
    expect(html).toContain('<caption>Seconds of the measured window by intended send time;');
    expect(html).not.toContain('outage..');
    expect(html).toContain('<td>1.2 s → 4.0 s</td>');
    expect(html).toContain('control plane Ready 2.5 s after restore; first ok request in second 4; traffic back to pre-outage errors from second 5');
    expect(html).toContain('got its proxy, Ready 4.2 s after creation, after the restore');
    expect(html).toContain(`<summary>${phase.mode} @ `);
    // Second 3 of the outage: 10 answered, 7 failed.
    expect(html).toContain('<tr><td class="num">3</td><td>during</td><td class="num">10</td><td class="num">7</td>');
  });

  it('has no outage section without an outage', () => {
    expect(htmlReport(syntheticRun())).not.toContain('h-outage');
  });

  it('shows the outage in a pilot report too, under the service\'s own heading id', () => {
    const { run } = runWithOutage();
    const html = pilotHtml([{ name: 'checkout', run, file: '/tmp/x/run.json' }], '/tmp');
    expect(html).toContain('<h2 id="service-1-h-outage">Control-plane outage</h2>');
  });
});
