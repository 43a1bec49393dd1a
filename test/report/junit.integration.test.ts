import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { junitReport, xmlEscape } from '../../src/report/junit.ts';
import { kubernetesDescription } from '../helpers/runtime-descriptions.ts';
import { fixtureRun } from './fixture.ts';

describe('junitReport', () => {
  const xml = junitReport(fixtureRun);

  it('counts tests, failures, errors and skipped on the suite', () => {
    expect(xml).toContain('<testsuite name="meshtax thresholds" tests="4" failures="1" errors="1" skipped="1"');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml.match(/<error /g)).toHaveLength(1);
    expect(xml.match(/<skipped /g)).toHaveLength(1);
  });

  it('names a testcase per threshold by mode, metric, max with its unit and rate', () => {
    expect(xml).toContain('<testcase classname="meshtax.sidecar" name="p99-delta &lt;= 5000 µs @ 1000 rps" time="0"/>');
    expect(xml).toContain('<testcase classname="meshtax.ambient" name="p999-delta &lt;= 10000 µs @ 1000 rps" time="0">');
    expect(xml).toContain('<testcase classname="meshtax.ambient" name="phase @ 1000 rps, repetition 3" time="0">');
  });

  it('names the proxy once in its property', () => {
    expect(xml).toContain('<property name="proxy" value="haproxy 2.8.5 (mTLS on)"/>');
    const cluster = junitReport({
      ...fixtureRun,
      environment: { ...fixtureRun.environment, runtime: kubernetesDescription({ context: 'kind', kubernetesVersion: 'v1.37.2' }) },
    });
    expect(cluster).toContain('<property name="cluster" value="kind (Kubernetes v1.37.2); meshes: none; server ?, client ?"/>');
  });

  it('escapes markup and drops characters XML 1.0 cannot hold', () => {
    expect(xml).toContain('message="mesh CPU 0.185 &gt; 0.15 cores per 1k rps &lt;&amp;&gt;&quot;&apos;"');
    expect(xml).toContain('<error message="proxy exited: status 1 &lt;&amp;&gt; &quot;bad config&quot;" type="phase-failure">');
    expect(xml).not.toContain('\u0001');
    expect(xmlEscape('a\u0000b\uFFFEc\uD800d😀')).toBe('abcd😀');
  });

  it('is well-formed: balanced elements, no raw & or < in text', () => {
    const body = xml.replace(/^<\?xml[^?]*\?>\n/, '');
    const stack: string[] = [];
    for (const [, close, name, selfClose] of [...body.matchAll(/<(\/?)([A-Za-z]+)(?:\s[^<>]*?)?(\/?)>/g)]) {
      if (close) expect(stack.pop()).toBe(name);
      else if (!selfClose) stack.push(name!);
    }
    expect(stack).toEqual([]);
    expect(body.replace(/<[^<>]*>/g, '')).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)|</);
  });

  it('passes xmllint --noout (apt-get install libxml2-utils; .ci/run installs it)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'meshtax-junit-'));
    try {
      const file = path.join(dir, 'junit.xml');
      writeFileSync(file, xml);
      expect(() => execFileSync('xmllint', ['--noout', file], { stdio: 'pipe' })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
