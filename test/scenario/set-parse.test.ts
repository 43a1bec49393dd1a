import { expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { parseSet } from '../../src/scenario/overrides.ts';

it('splits path=value, reading digits as indices and the value as YAML', () => {
  expect(parseSet('load.rates=[100,200]')).toStrictEqual({ path: ['load', 'rates'], value: [100, 200], raw: 'load.rates=[100,200]' });
  expect(parseSet('load.connections=4').value).toBe(4);
  expect(parseSet('load.duration=5s').value).toBe('5s');
  expect(parseSet('metadata.name=x').path).toStrictEqual(['metadata', 'name']);
  expect(parseSet('thresholds.0.max=5ms').path).toStrictEqual(['thresholds', 0, 'max']);
  expect(parseSet('thresholds[0].modes[1]=sidecar').path).toStrictEqual(['thresholds', 0, 'modes', 1]);
  expect(parseSet('metadata.description=a=b').value).toBe('a=b');
  expect(parseSet('metadata.description="1"').value).toBe('1');
  expect(parseSet('local={bindAddress: "::1"}').value).toStrictEqual({ bindAddress: '::1' });
});

const FORM = 'write --set path=value, e.g. --set load.duration=5s, --set load.rates=[100,200] or --set modes.1=sidecar';

it.each([
  ['load.duration', "expected path=value; got 'load.duration'", FORM],
  ['=5s', 'the path before = is empty', FORM],
  ['load..duration=5s', "cannot read the path 'load..duration' at '.duration'", FORM],
  ['load.duration.=5s', "cannot read the path 'load.duration.' at '(end)'", FORM],
  ['load.rates=[100,', 'cannot parse the value as YAML: Flow sequence must end with a ]', `quote a string that contains YAML syntax: --set 'load.rates="..."'`],
  ['metadata.description=a: b', 'the value must be one YAML scalar or flow collection', `write a list as [100,200] and a mapping as {a: 1}, or quote a string: --set 'metadata.description="..."'`],
])('rejects %j with a hint showing the form', (arg, message, hint) => {
  expect(problemsParsing(arg)).toEqual([{ source: `--set ${arg}`, message, hint }]);
});

/** The problems parseSet throws for `arg`; fails the test when it parses. */
function problemsParsing(arg: string): ScenarioError['problems'] {
  let error: unknown;
  try {
    parseSet(arg);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ScenarioError);
  return (error as ScenarioError).problems;
}

it('refuses a value nested 10 000 deep by its depth, and quotes only the start of it', () => {
  const arg = `modes=${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  expect(problemsParsing(arg)).toEqual([
    {
      source: `--set ${arg.slice(0, 60)}… (20006 characters)`,
      message: 'the value nests deeper than 64 levels; a scenario value needs a handful',
      hint: 'look for runaway [ or {',
    },
  ]);
});
