import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('rejects open-loop settings in the closed loop, saying how to fix it', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '  loop: closed', '  rates: [100]', '  arrival: poisson'))).toEqual([
    { source: 'test.yaml', line: 7, col: 10, message: 'load.rates: rates apply to the open loop; remove load.rates or set load.loop: open' },
    { source: 'test.yaml', line: 8, col: 12, message: 'load.arrival: arrival applies to the open loop; remove load.arrival or set load.loop: open' },
  ]);
});
