// Matcher semantics and messages on hand-made observations (no kernel).
import { describe, expect, test } from 'vitest';
import { matchers } from '../src/matchers/index.js';
import { makeObservation } from '../src/observation.js';
import type { FileOpenEvent } from '../src/events.js';

expect.extend(matchers);

function open(path: string, extra: Partial<FileOpenEvent> = {}): FileOpenEvent {
  return {
    kind: 'file_open',
    timeNs: 0,
    pid: 10,
    tid: 10,
    child: false,
    result: 3,
    errno: undefined,
    epoch: 1,
    truncated: false,
    path,
    requestedPath: path,
    requested: path,
    flags: 0,
    mode: 0,
    access: 'read',
    create: false,
    truncate: false,
    append: false,
    ...extra,
  };
}

/** The failure message of a matcher call, without colours. */
function messageOf(assertion: () => unknown): string {
  try {
    assertion();
  } catch (err) {
    return (err as Error).message.replace(/\x1b\[[0-9;]*m/g, '');
  }
  throw new Error('the assertion passed');
}

const seen = (...events: FileOpenEvent[]) => makeObservation({ result: undefined, error: undefined, threw: false, events, dropped: 0 });
const failed = (path: string) => open(path, { result: -2, errno: 'ENOENT' });

describe('toOpenFiles', () => {
  test('passes when every path was opened successfully (by resolved or requested path)', () => {
    expect(seen(open('/etc/hosts'), open('/real', { requestedPath: '/link' }))).toOpenFiles(['/etc/hosts', '/link', '/re*']);
  });

  test('a failed attempt is not an open', () => {
    expect(seen(failed('/etc/hosts'))).not.toOpenFiles('/etc/hosts');
  });

  test('failure message lists expected, missing, received and failed attempts', () => {
    expect(messageOf(() => expect(seen(open('/etc/hosts'), failed('/nope'))).toOpenFiles(['/etc/hosts', '/etc/shadow']))).toMatchInlineSnapshot(`
      "expect(fn).toOpenFiles(paths)

      Expected to open:
        /etc/hosts
        /etc/shadow
      Never opened:
        /etc/shadow
      Received: 1 successful open(s):
        /etc/hosts  read
      Failed attempts:
        /nope  read  ENOENT"
    `);
  });

  test('.not failure names what was opened', () => {
    expect(messageOf(() => expect(seen(open('/etc/hosts'), open('/etc/hosts'))).not.toOpenFiles('/etc/hosts'))).toMatch(/Opened:\n {2}\/etc\/hosts {2}read {2}×2/);
  });
});

describe('toOpenOutside', () => {
  test('.not passes when every attempt is inside', () => {
    expect(seen(open('/work/a'), failed('/work/b'))).not.toOpenOutside('/work/**');
  });

  test('.not fails naming each attempt outside, failed ones included', () => {
    expect(messageOf(() => expect(seen(open('/work/a'), open('/etc/passwd'), failed('/nope/x'))).not.toOpenOutside('/work/**')))
      .toMatchInlineSnapshot(`
      "expect(fn).not.toOpenOutside(globs)

      Allowed:
        /work/**
      Received: 2 open attempt(s) outside (of 3):
        /etc/passwd  read
        /nope/x  read  ENOENT"
    `);
  });

  test('long lists are cut with a count', () => {
    const many = Array.from({ length: 25 }, (_, i) => open(`/out/${i}`));
    expect(() => expect(seen(...many)).not.toOpenOutside('/work/**')).toThrow('… and 15 more');
  });
});

describe('bad input', () => {
  test.each([[42], ['string'], [null], [{ events: [] }]])('expect(%j) is rejected clearly', (received) => {
    expect(() => expect(received).toOpenFiles('/x')).toThrow(/needs a function to run or an observation/);
  });

  test('a bad pattern throws before fn runs', () => {
    let ran = false;
    expect(() => expect(() => (ran = true)).toOpenFiles('relative')).toThrow(TypeError);
    expect(ran).toBe(false);
  });

  test('an observation with drops is refused', () => {
    const lossy = makeObservation({ result: undefined, error: undefined, threw: false, events: [], dropped: 3 });
    expect(() => expect(lossy).toOpenFiles('/x')).toThrow(/3 event\(s\) .* were lost .*--ring-size/);
  });
});

describe('toTrigger', () => {
  test('any event of the kind, or one matching the pattern', () => {
    expect(seen(open('/etc/hosts'))).toTrigger('file_open');
    expect(seen(open('/etc/hosts'))).toTrigger('file_open', '/etc/*');
    expect(seen(open('/etc/hosts'))).not.toTrigger('file_open', '/var/**');
    expect(seen(open('/etc/hosts'))).not.toTrigger('setuid');
  });

  test.each([
    ['nonsense', undefined, /unknown event kind 'nonsense' \(one of file_open, exec/],
    ['kill', '/x', /kill events have nothing a pattern could match/],
    ['file_open', 42, /pattern must be a string/],
  ])('toTrigger(%j, %j) is a TypeError', (kind, pattern, text) => {
    expect(() => expect(() => {}).toTrigger(kind as never, pattern as never)).toThrow(text);
  });
});
