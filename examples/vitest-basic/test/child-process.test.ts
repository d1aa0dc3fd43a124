import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { observe } from '@vivarium/vitest';

test('files opened by a child process count for the test', () => {
  expect(() => execFileSync('cat', ['/etc/hostname'])).toOpenFiles(['/etc/hostname']);
});

test('observations can be inspected directly', () => {
  const seen = observe(() => execFileSync('cat', ['/etc/hostname']));
  const children = seen.events.filter((e) => e.kind === 'fork');
  expect(children).toHaveLength(1);
  expect(seen).toOpenFiles('/etc/hostname');
});
