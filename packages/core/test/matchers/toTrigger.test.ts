import { describe, expect, test } from 'vitest';
import { SAMPLES, connect, dns, exec, failed, inet, open, rename } from '../helpers/events.js';
import { messageOf, seen } from './harness.js';

describe('toTrigger(kind, pattern?)', () => {
  describe('passes when an event of the kind happened (matching the pattern, if given)', () => {
    test('any event of the kind, failed attempts included', () => {
      expect(seen(SAMPLES.setuid)).toTrigger('setuid');
      expect(seen(open('/etc/shadow', failed('EACCES')))).toTrigger('file_open');
    });

    test.each([
      ['file_open', '/etc/*', open('/etc/hosts')],
      ['rename', '/etc/**', rename('rename', '/work/app/a', '/etc/a')],
      ['exec', 'sh', exec('/usr/bin/dash', ['sh'], { requestedPath: '/bin/sh' })],
      ['connect', 'localhost:*', connect(inet('127.0.0.1', 80))],
      ['dns', '*.example.com', dns('www.example.com')],
      ['mount', '/mnt/**', SAMPLES.mount],
    ])('%s matching %s: the pattern is of what the kind carries', (kind, pattern, e) => {
      expect(seen(e)).toTrigger(kind as never, pattern);
    });
  });

  describe('.not passes when none did', () => {
    test('no event of the kind', () => {
      expect(seen(open('/etc/hosts'))).not.toTrigger('setuid');
    });

    test('none matching the pattern', () => {
      expect(seen(open('/etc/hosts'))).not.toTrigger('file_open', '/var/**');
    });
  });

  test.each([
    ['nonsense', undefined, "unknown event kind 'nonsense' (one of file_open, exec"],
    [42, undefined, 'unknown event kind number 42'],
    ['kill', '/x', 'kill events have nothing a pattern could match'],
    ['fork', 'x', 'fork events have nothing a pattern could match'],
    ['file_open', 42, 'pattern must be a string, got number 42'],
    ['file_open', 'relative', "path pattern 'relative' is not absolute"],
    ['connect', 'example.com', "endpoint pattern 'example.com'"],
  ])('toTrigger(%j, %j): a TypeError saying %s', (kind, pattern, text) => {
    expect(() => expect(seen()).toTrigger(kind as never, pattern as never)).toThrow(text);
  });

  test('failure: the events of the kind there were', () => {
    expect(messageOf(() => expect(seen(open('/etc/hosts'))).toTrigger('file_open', '/var/**'))).toMatchInlineSnapshot(`
      "expect(fn).toTrigger(kind, pattern)

      Expected a file_open event matching /var/**
      Received: 1 file_open event(s):
        open (read) /etc/hosts"
    `);
  });

  test('failure: none of the kind', () => {
    expect(messageOf(() => expect(seen(open('/etc/hosts'))).toTrigger('setuid'))).toMatchInlineSnapshot(`
      "expect(fn).toTrigger(kind)

      Expected a setuid event
      Received: 0 setuid event(s)"
    `);
  });

  test('.not failure: the events that did it', () => {
    expect(messageOf(() => expect(seen(SAMPLES.setuid, SAMPLES.setuid)).not.toTrigger('setuid'))).toMatchInlineSnapshot(`
      "expect(fn).not.toTrigger(kind)

      Expected no setuid event
      Received: 2:
        setuid 0  EPERM  ×2"
    `);
  });
});
