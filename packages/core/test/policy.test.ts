import { describe, expect, test } from 'vitest';
import { type ReportEvent, toReportEvents } from '../src/event-lines.js';
import type { VivariumEvent } from '../src/events.js';
import { PolicyChecker, formatViolations } from '../src/policy/evaluate.js';
import { learnPolicy } from '../src/policy/learn.js';
import { validatePolicy } from '../src/policy/policy-file.js';
import type { Policy } from '../src/policy/policy.js';
import { SAMPLES, byChild, connect, dns, event, exec, failed, http, inet, open, openToWrite, rename, request, unix } from './helpers/events.js';

const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };
/** Report lines, as the verdict builds them from what a test did. */
const lines = (...events: VivariumEvent[]): ReportEvent[] => toReportEvents(events);
const one = (e: VivariumEvent) => lines(e)[0]!;
const read = (path: string) => one(open(path));
const write = (path: string) => one(openToWrite(path));

describe('report lines', () => {
  test('carry the rule and typed subjects from the kind table, and the words of the line', () => {
    expect(lines(rename('rename', '/tmp/a', '/etc/a', byChild), exec('/usr/local/bin/ls', [], failed('ENOENT')))).toEqual([
      {
        kind: 'rename',
        rule: 'write',
        subjects: [
          { type: 'path', value: '/tmp/a' },
          { type: 'path', value: '/etc/a' },
        ],
        subject: '/tmp/a',
        detail: '→ /etc/a',
        child: true,
        count: 1,
      },
      { kind: 'exec', subjects: [{ type: 'program', value: { path: '/usr/local/bin/ls', requested: '/usr/local/bin/ls' } }], subject: '/usr/local/bin/ls', errno: 'ENOENT', count: 1 },
    ]);
  });

  test('identical events fold into one line with a count, in first-seen order', () => {
    expect(lines(open('/a'), open('/b'), open('/a'), open('/a', byChild)).map((l) => [l.subject, l.child ?? false, l.count])).toEqual([
      ['/a', false, 2],
      ['/b', false, 1],
      ['/a', true, 1],
    ]);
  });

  test('a DNS query whose name could not be read is its own line', () => {
    expect(lines(dns(''), dns('(unparsed)')).map((l) => l.subjects.length)).toEqual([0, 1]);
  });
});

describe('PolicyChecker', () => {
  const policy: Policy = {
    allow: {
      read: ['<rootDir>/**'],
      write: ['<tmp>/**'],
      exec: ['node', 'sh'],
      connect: ['localhost:*'],
      resolve: ['*.internal.test'],
      privileged: [],
    },
    overrides: [{ files: ['test/net/**'], allow: { connect: ['10.0.0.0/8:443'] } }],
  };
  const checker = new PolicyChecker(policy, 'vivarium.policy.json', tokens);

  test('allowed events pass; noise is allowed by default', () => {
    const events = [read('/work/app/src/a.ts'), read('/usr/lib/x86_64-linux-gnu/libc.so.6'), read('/proc/self/stat'), write('/tmp/x/out')];
    expect(checker.forFile('test/a.test.ts').check(events)).toEqual([]);
  });

  test('each violation names the rule and the subject', () => {
    const events = lines(
      open('/etc/passwd'),
      openToWrite('/work/app/out.txt'),
      rename('rename', '/tmp/a', '/etc/a'),
      exec('/usr/bin/curl', ['curl', 'x'], byChild),
      exec('/usr/local/bin/node', [], failed('ENOENT')),
      connect(inet('10.1.1.1', 443)),
      dns('tracker.example.com'),
      dns(''),
      event('setuid', { ids: [0] }),
    );
    const found = checker.forFile('test/a.test.ts').check(events);
    expect(found.map((v) => `${v.rule} ${v.subject}`)).toEqual([
      'read /etc/passwd',
      'write /work/app/out.txt',
      'write /etc/a',
      'exec /usr/bin/curl',
      'connect 10.1.1.1:443',
      'resolve tracker.example.com',
      'resolve (unparsed)',
      'privileged setuid',
    ]);
    expect(found.map((v) => v.message)).toEqual([
      'open (read) /etc/passwd: not in allow.read',
      'open (write+create+truncate) /work/app/out.txt: not in allow.write',
      'rename /etc/a: not in allow.write',
      'exec /usr/bin/curl  [child]: not in allow.exec',
      'connect 10.1.1.1:443: not in allow.connect',
      'dns tracker.example.com: not in allow.resolve',
      'dns (unparsed): not in allow.resolve',
      'setuid 0: not in allow.privileged',
    ]);
  });

  test('overrides add to the allow-lists of matching files only', () => {
    const outbound = lines(connect(inet('10.1.1.1', 443)));
    expect(checker.forFile('/work/app/test/net/api.test.ts').check(outbound)).toEqual([]);
    expect(checker.forFile('test/other.test.ts').check(outbound)).toHaveLength(1);
  });

  test('categories the policy does not list are not restricted', () => {
    const open = new PolicyChecker({ allow: { exec: [] } }, 'p', tokens);
    expect(open.forFile('t').check([read('/etc/passwd'), write('/etc/x')])).toEqual([]);
  });

  test('http: each request judged by its method, host, port and path; one not read whole is allowed by nothing', () => {
    const api = new PolicyChecker({ allow: { http: ['GET https://api.example.com/v1/**', 'https://127.0.0.1:*'] } }, 'p', tokens);
    const events = lines(
      http([request('GET', 'https://api.example.com/v1/users'), request('POST', 'https://api.example.com/v1/users')], { protocol: 'HTTP/2' }),
      http([request('PUT', 'https://127.0.0.1:8443/x')]),
      http([request('GET', 'https://api.example.com/v1/x', { unknown: 'its request line is longer than Vivarium reads' })]),
      http([], { protocol: 'HTTP/2' }),
    );
    expect(api.forFile('t').check(events).map((v) => v.message)).toEqual([
      'request POST https://api.example.com/v1/users: not in allow.http',
      'request GET https://api.example.com/v1/x (its request line is longer than Vivarium reads): not in allow.http',
    ]);
  });

  test('the failure message says how to fix it', () => {
    const found = checker.forFile('t').check([read('/etc/passwd')]);
    expect(formatViolations(found, 'vivarium.policy.json', 'enforce')).toMatchInlineSnapshot(`
      "vivarium policy (vivarium.policy.json, enforce): 1 violation(s) in this test
        open (read) /etc/passwd: not in allow.read
      (allow them in vivarium.policy.json, or set "mode": "audit" to report without failing)"
    `);
  });
});

describe('validatePolicy', () => {
  test.each([
    [[], 'a policy must be a JSON object'],
    [{ allw: {} }, "unknown key 'allw' in the policy"],
    [{ mode: 'strict', allow: {} }, "mode must be 'enforce' or 'audit'"],
    [{ allow: { reads: [] } }, "unknown key 'reads' in allow"],
    [{ allow: { read: '/etc' } }, 'allow.read must be an array of strings'],
    [{ allow: { read: ['relative'] } }, "'relative' is not absolute"],
    [{ allow: { connect: ['example.com'] } }, "endpoint pattern 'example.com'"],
    [{ allow: { privileged: ['chmod'] } }, "'chmod' is not a privileged event kind"],
    [{ allow: {}, overrides: [{ allow: {} }] }, 'overrides[0].files must be a non-empty array'],
  ])('%j is refused: %s', (value, text) => {
    expect(() => validatePolicy(value, 'vivarium.policy.json', tokens)).toThrow(TypeError);
    expect(() => validatePolicy(value, 'vivarium.policy.json', tokens)).toThrow(text);
  });
});

describe('learnPolicy', () => {
  test('exactly what was seen, with tokens; temp dirs and loopback ports generalised; noise left out', () => {
    const learned = learnPolicy(
      lines(
        open('/work/app/fixtures/a.json'),
        open('/etc/passwd'),
        open('/usr/lib/libc.so.6'),
        openToWrite('/tmp/vivarium-xyz/out.txt'),
        rename('rename', '/work/app/out/tmp.json', '/work/app/out/final.json'),
        exec('/usr/bin/git', ['git', 'status']),
        exec('/usr/local/bin/git', [], failed('ENOENT')),
        connect(inet('127.0.0.1', 40123)),
        connect(inet('::1', 8080)),
        connect(unix('/tmp/x/db.sock')),
        connect(inet('203.0.113.7', 443)),
        dns('registry.internal.test'),
        dns(''),
        http([request('GET', 'https://127.0.0.1:43123/v1/users'), request('POST', 'https://api.example.com/v1/items')]),
        http([request('GET', 'https://api.example.com/x', { unknown: 'cut' })]),
        SAMPLES.kill,
        SAMPLES.fork,
      ),
      tokens,
    );
    expect(learned).toEqual({
      mode: 'enforce',
      noise: true,
      allow: {
        read: ['/etc/passwd', '<rootDir>/fixtures/a.json'],
        write: ['<rootDir>/out/final.json', '<rootDir>/out/tmp.json', '<tmp>/**'],
        exec: ['/usr/bin/git'],
        http: ['GET https://127.0.0.1:*/v1/users', 'POST https://api.example.com/v1/items'],
        connect: ['127.0.0.1:*', '203.0.113.7:443', '[::1]:*', 'unix:<tmp>/**'],
        resolve: ['registry.internal.test'],
        privileged: ['kill'],
        env: [],
        load: [],
      },
    });
  });

  test('a learned policy passes the run it came from', () => {
    const events = [read('/work/app/a'), write('/tmp/x/y'), one(exec('/usr/bin/ls', ['ls']))];
    const learned = learnPolicy(events, tokens);
    expect(new PolicyChecker(learned, 'learned', tokens).forFile('t.test.ts').check(events)).toEqual([]);
    expect(new PolicyChecker(learned, 'learned', tokens).forFile('t.test.ts').check([read('/etc/shadow')])).toHaveLength(1);
  });
});
