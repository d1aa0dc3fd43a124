import { describe, expect, test } from 'vitest';
import { formatEvent } from '../../src/format.js';
import { type Origin, formatOrigin, isUserFrame, originOf, packageDirOf, parseStack, siteText } from '../../src/provenance/origin.js';
import { provenanceWanted } from '../../src/session.js';
import { open } from '../helpers/events.js';

const OWN = ['/repo/packages/'];

const STACK = `Error
    at Object.openSync (node:fs:573:18)
    at readFileSync (node:fs:452:35)
    at Object.readFileSync (/repo/packages/core/bundle/chunk-x.js:10:5)
    at loadRc (/app/node_modules/rc/index.js:41:12)
    at async Promise.all (index 0)
    at main (file:///app/src/main.ts:7:3)
    at Object.<anonymous> (/app/test/app.test.ts:12:9)
    at file:///app/node_modules/@vitest/runner/dist/index.js:1:2`;

describe('parseStack', () => {
  test('reads named, anonymous and file:// frames; skips other lines', () => {
    expect(parseStack(STACK)).toEqual([
      { function: 'Object.openSync', file: 'node:fs', line: 573, column: 18 },
      { function: 'readFileSync', file: 'node:fs', line: 452, column: 35 },
      { function: 'Object.readFileSync', file: '/repo/packages/core/bundle/chunk-x.js', line: 10, column: 5 },
      { function: 'loadRc', file: '/app/node_modules/rc/index.js', line: 41, column: 12 },
      { function: 'main', file: '/app/src/main.ts', line: 7, column: 3 },
      { file: '/app/test/app.test.ts', line: 12, column: 9 },
      { file: '/app/node_modules/@vitest/runner/dist/index.js', line: 1, column: 2 },
    ]);
  });
});

describe('packageDirOf', () => {
  test.each([
    ['/app/node_modules/rc/index.js', { name: 'rc', dir: '/app/node_modules/rc' }],
    ['/app/node_modules/@scope/pkg/lib/a.js', { name: '@scope/pkg', dir: '/app/node_modules/@scope/pkg' }],
    ['/app/node_modules/a/node_modules/b/x.js', { name: 'b', dir: '/app/node_modules/a/node_modules/b' }],
    ['/app/src/x.js', undefined],
  ])('%s', (file, expected) => {
    expect(packageDirOf(file)).toEqual(expected);
  });
});

describe('isUserFrame', () => {
  test.each([
    ['node:fs', false],
    ['node:internal/fs/promises', false],
    ['<anonymous>', false],
    ['/repo/packages/core/bundle/index.js', false],
    ['/app/node_modules/vitest/dist/x.js', false],
    ['/app/node_modules/@jest/core/build/x.js', false],
    ['/app/node_modules/jest-circus/build/x.js', false],
    ['/app/node_modules/rc/index.js', true],
    ['/app/node_modules/jest-environment-whatever-user-lib-not/x.js', false],
    ['/app/test/a.test.ts', true],
  ])('%s → %s', (file, user) => {
    expect(isUserFrame({ file, line: 1, column: 1 }, OWN)).toBe(user);
  });
});

describe('originOf', () => {
  test('the first user frame, its package, and at most five frames from it', () => {
    const origin = originOf('fs.readFileSync', STACK, OWN, (file) => (file.includes('/rc/') ? { name: 'rc', version: '1.2.8' } : undefined));
    expect(origin).toEqual({
      api: 'fs.readFileSync',
      site: { function: 'loadRc', file: '/app/node_modules/rc/index.js', line: 41, column: 12 },
      package: { name: 'rc', version: '1.2.8' },
      stack: ['loadRc (/app/node_modules/rc/index.js:41:12)', 'main (/app/src/main.ts:7:3)', '/app/test/app.test.ts:12:9'],
    });
  });

  test('no user frame: only the API', () => {
    expect(originOf('dns.lookup', 'Error\n    at lookup (node:dns:1:1)', OWN, () => undefined)).toEqual({ api: 'dns.lookup', stack: [] });
  });
});

describe('formatting', () => {
  const origin: Origin = { api: 'fs.readFileSync', site: { function: 'loadRc', file: '/app/node_modules/rc/index.js', line: 41, column: 12 }, package: { name: 'rc', version: '1.2.8' }, stack: [] };

  test('relative to the base when under it, absolute otherwise', () => {
    expect(formatOrigin(origin, '/app')).toBe('at loadRc (node_modules/rc/index.js:41:12)  [rc@1.2.8]');
    expect(formatOrigin(origin, '/elsewhere')).toBe('at loadRc (/app/node_modules/rc/index.js:41:12)  [rc@1.2.8]');
    expect(siteText({ file: '/app/t.ts', line: 3, column: 4 }, '/app')).toBe('t.ts:3:4');
    expect(formatOrigin({ api: 'dns.lookup', stack: [] })).toBe('at dns.lookup (no user frame)');
  });

  test('an event line ends with its origin', () => {
    const event = { ...open('/home/ci/.npmrc'), origin: { ...origin, site: { ...origin.site!, file: `${process.cwd()}/node_modules/rc/index.js` } } };
    expect(formatEvent(event)).toBe('open (read) /home/ci/.npmrc  at loadRc (node_modules/rc/index.js:41:12)  [rc@1.2.8]');
  });
});

describe('provenanceWanted', () => {
  test('the option first, else $VIVARIUM_PROVENANCE; a bad value is refused naming the fix', () => {
    expect(provenanceWanted(true, {})).toBe(true);
    expect(provenanceWanted(false, { VIVARIUM_PROVENANCE: '1' })).toBe(false);
    expect(provenanceWanted(undefined, { VIVARIUM_PROVENANCE: '1' })).toBe(true);
    expect(provenanceWanted(undefined, { VIVARIUM_PROVENANCE: 'true' })).toBe(true);
    expect(provenanceWanted(undefined, { VIVARIUM_PROVENANCE: '0' })).toBe(false);
    expect(provenanceWanted(undefined, {})).toBe(false);
    expect(() => provenanceWanted(undefined, { VIVARIUM_PROVENANCE: 'yes' })).toThrow("vivarium: VIVARIUM_PROVENANCE must be 1 or 0, got 'yes'");
  });
});
