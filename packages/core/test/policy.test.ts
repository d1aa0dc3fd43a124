import { describe, expect, test } from 'vitest';
import { PolicyChecker, formatViolations, ruleOf } from '../src/policy/evaluate.js';
import { learnPolicy } from '../src/policy/learn.js';
import { validatePolicy } from '../src/policy/policy-file.js';
import type { Policy } from '../src/policy/policy.js';
import type { Report, ReportEvent } from '../src/report/types.js';
import { decodeSockaddr } from '../src/sockaddr.js';

const tokens = { cwd: '/work/app', tmp: '/tmp', home: '/root', rootDir: '/work/app' };
const ev = (e: Partial<ReportEvent> & Pick<ReportEvent, 'kind' | 'subject'>): ReportEvent => ({ count: 1, ...e });
const read = (path: string) => ev({ kind: 'file_open', subject: path, detail: 'read' });
const write = (path: string) => ev({ kind: 'file_open', subject: path, detail: 'write+create+truncate' });
const inet = (address: string, port: number) => {
  const b = new Uint8Array(16);
  new DataView(b.buffer).setUint16(0, 2, true);
  new DataView(b.buffer).setUint16(2, port, false);
  b.set(address.split('.').map(Number), 4);
  return decodeSockaddr(b);
};

describe('ruleOf', () => {
  test.each([
    [read('/a'), 'read'],
    [write('/a'), 'write'],
    [ev({ kind: 'rename', subject: '/a', detail: '/b' }), 'write'],
    [ev({ kind: 'exec', subject: '/usr/bin/ls' }), 'exec'],
    [ev({ kind: 'exec', subject: '/nope/ls', errno: 'ENOENT' }), undefined],
    [ev({ kind: 'dns', subject: 'example.com' }), 'resolve'],
    [ev({ kind: 'kill', subject: 'pid 1' }), 'privileged'],
    [ev({ kind: 'fork', subject: 'pid 1' }), undefined],
  ])('%j → %s', (event, rule) => {
    expect(ruleOf(event)).toBe(rule);
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
    const events = [
      read('/etc/passwd'),
      write('/work/app/out.txt'),
      ev({ kind: 'rename', subject: '/tmp/a', detail: '/etc/a' }),
      ev({ kind: 'exec', subject: '/usr/bin/curl' }),
      ev({ kind: 'connect', subject: '10.1.1.1:443', endpoint: inet('10.1.1.1', 443) }),
      ev({ kind: 'dns', subject: 'tracker.example.com' }),
      ev({ kind: 'setuid', subject: '0' }),
    ];
    const found = checker.forFile('test/a.test.ts').check(events);
    expect(found.map((v) => `${v.rule} ${v.subject}`)).toEqual([
      'read /etc/passwd',
      'write /work/app/out.txt',
      'write /etc/a',
      'exec /usr/bin/curl',
      'connect 10.1.1.1:443',
      'resolve tracker.example.com',
      'privileged setuid',
    ]);
    expect(found[0]!.message).toBe('open (read) /etc/passwd: not in allow.read');
  });

  test('overrides add to the allow-lists of matching files only', () => {
    const connect = [ev({ kind: 'connect', subject: '10.1.1.1:443', endpoint: inet('10.1.1.1', 443) })];
    expect(checker.forFile('/work/app/test/net/api.test.ts').check(connect)).toEqual([]);
    expect(checker.forFile('test/other.test.ts').check(connect)).toHaveLength(1);
  });

  test('categories the policy does not list are not restricted', () => {
    const open = new PolicyChecker({ allow: { exec: [] } }, 'p', tokens);
    expect(open.forFile('t').check([read('/etc/passwd'), write('/etc/x')])).toEqual([]);
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
  const report = (events: ReportEvent[]): Report => ({
    version: 1,
    generatedAt: '',
    runner: { name: 'vitest', version: '4' },
    vivarium: { version: '0', backend: 'syscalls' },
    rootDir: '/work/app',
    tokens,
    files: [{ file: 't.test.ts', tests: [{ name: 't', status: 'passed', events, dropped: 0, violations: [] }] }],
    totals: { tests: 1, events: events.length, violations: 0, dropped: 0 },
  });

  test('exactly what was seen, with tokens; temp dirs and loopback ports generalised; noise left out', () => {
    const learned = learnPolicy(
      report([
        read('/work/app/fixtures/a.json'),
        read('/etc/passwd'),
        read('/usr/lib/libc.so.6'),
        write('/tmp/vivarium-xyz/out.txt'),
        ev({ kind: 'exec', subject: '/usr/bin/git' }),
        ev({ kind: 'connect', subject: '127.0.0.1:40123', endpoint: inet('127.0.0.1', 40123) }),
        ev({ kind: 'dns', subject: 'registry.internal.test' }),
      ]),
    );
    expect(learned).toEqual({
      mode: 'enforce',
      noise: true,
      allow: {
        read: ['/etc/passwd', '<rootDir>/fixtures/a.json'],
        write: ['<tmp>/**'],
        exec: ['/usr/bin/git'],
        connect: ['127.0.0.1:*'],
        resolve: ['registry.internal.test'],
        privileged: [],
      },
    });
  });

  test('a learned policy passes the run it came from', () => {
    const events = [read('/work/app/a'), write('/tmp/x/y'), ev({ kind: 'exec', subject: '/usr/bin/ls' })];
    const learned = learnPolicy(report(events));
    expect(new PolicyChecker(learned, 'learned', tokens).forFile('t.test.ts').check(events)).toEqual([]);
    expect(new PolicyChecker(learned, 'learned', tokens).forFile('t.test.ts').check([read('/etc/shadow')])).toHaveLength(1);
  });
});
