// Type test (tsc --noEmit -p tsconfig.types-jest.json): the matchers on the
// global `expect` declared by @types/jest.
import { execFileSync } from 'node:child_process';
import '@vivarium/jest';

test('matchers type-check on the global expect of @types/jest', async () => {
  expect(() => execFileSync('cat', ['/etc/hosts'])).toOpenFiles(['/etc/hosts']);
  expect(() => {}).not.toOpenOutside('<tmp>/**');
  await expect(async () => {}).not.toConnectOutside(['localhost:*']);
  expect(() => {}).toMatchFootprintSnapshot();
  expect(() => {}).toMatchInlineFootprintSnapshot(`(no effects)`);

  // @ts-expect-error paths are strings, not numbers
  expect(() => {}).toOpenFiles(42);
  // @ts-expect-error an inline snapshot is a string
  expect(() => {}).toMatchInlineFootprintSnapshot(42);
  // @ts-expect-error not an event kind
  expect(() => {}).toTrigger('file_opened');
});
