// With @jest/globals instead of injected globals: the same expect, extended.
const { execFileSync } = require('node:child_process');
const { expect, test } = require('@jest/globals');
const { observe } = require('@vivarium/jest');

test('files opened by a child process count for the test', () => {
  expect(() => execFileSync('cat', ['/etc/hostname'])).toOpenFiles(['/etc/hostname']);
});

test('observations can be inspected directly', () => {
  const seen = observe(() => execFileSync('cat', ['/etc/hostname']));
  const children = seen.events.filter((e) => e.kind === 'fork');
  expect(children).toHaveLength(1);
  expect(seen).toOpenFiles('/etc/hostname');
  expect(seen).toExec('cat');
});
