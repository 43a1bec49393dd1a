import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('ships the full Apache-2.0 text that package.json declares', () => {
  expect((JSON.parse(readFileSync('package.json', 'utf8')) as { license: string }).license).toBe('Apache-2.0');
  const text = readFileSync('LICENSE', 'utf8');
  expect(text).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n\s+http:\/\/www\.apache\.org\/licenses\/\n/);
  // All nine sections of the terms, then their end.
  for (const section of ['1. Definitions.', '2. Grant of Copyright License.', '3. Grant of Patent License.', '4. Redistribution.', '5. Submission of Contributions.', '6. Trademarks.', '7. Disclaimer of Warranty.', '8. Limitation of Liability.', '9. Accepting Warranty or Additional Liability.']) {
    expect(text).toContain(section);
  }
  expect(text).toContain('END OF TERMS AND CONDITIONS');
});
