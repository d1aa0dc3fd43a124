// Type test (tsc --noEmit -p tsconfig.jest-globals.json): the matchers on
// `expect` from @jest/globals, with no @types/jest in the program.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { expect, test } from '@jest/globals';
import { type Observation, observe } from '@vivarium/jest';

test('matchers type-check on expect from @jest/globals', async () => {
  expect(() => execFileSync('cat', ['/etc/hosts'])).toOpenFiles(['/etc/hosts']);
  expect(() => execFileSync('cat', ['/etc/hosts'])).toOpenFiles('/etc/hosts');
  expect(() => {}).not.toOpenOutside(['<cwd>/**', '<tmp>/**']);
  await expect(async () => readFile('/etc/hosts')).toOpenFiles(['/etc/hosts']);
  expect(() => {}).not.toTrigger('setuid');
  expect(() => {}).toTrigger('file_open', '/etc/*');
  expect(() => execFileSync('true')).toMatchFootprintSnapshot();
  expect(() => execFileSync('true')).toMatchFootprintSnapshot('runs true');
  await expect(async () => readFile('/etc/hosts')).toMatchInlineFootprintSnapshot(`read`);

  const sync: Observation<Buffer> = observe(() => execFileSync('true'));
  const async: Observation<Buffer> = await observe(() => readFile('/etc/hosts'));
  expect(sync).toExec('true');
  expect(async.events.filter((e) => e.kind === 'file_open').map((e) => e.path)).toContain('/etc/hosts');

  // @ts-expect-error paths are strings, not numbers
  expect(() => {}).toOpenFiles(42);
  // @ts-expect-error globs are required
  expect(() => {}).not.toOpenOutside();
  // @ts-expect-error not an event kind
  expect(() => {}).toTrigger('file_opened');
  // @ts-expect-error a hint is a string
  expect(() => {}).toMatchFootprintSnapshot({ read: [] });
  // @ts-expect-error not a Vivarium matcher
  expect(() => {}).toOpenFile(['/etc/hosts']);
});
