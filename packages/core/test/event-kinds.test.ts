// The kind table as a specification: every kind has a row, and for one
// event of each kind, the rule it falls under, its subjects and its line.
import { describe, expect, test } from 'vitest';
import { EVENT_KIND_TABLE, PRIVILEGED_KINDS, RULE_SUBJECT, describeEvent, ruleOf, subjectTypesOf, subjectsOf, succeeded } from '../src/event-kinds.js';
import { EVENT_KINDS, KIND_NAMES } from '../src/events.js';
import { formatEvent } from '../src/format.js';
import { KindCode } from '../src/abi.generated.js';
import { SAMPLES, byChild, connect, dns, exec, failed, open, openToWrite, rename, unspec } from './helpers/events.js';

describe('the table', () => {
  test('has one row for every kind the ABI defines, and nothing else', () => {
    expect(Object.keys(EVENT_KIND_TABLE).sort()).toEqual([...EVENT_KINDS].sort());
    expect(EVENT_KINDS).toHaveLength(Object.keys(KindCode).length);
    expect([...KIND_NAMES.values()].sort()).toEqual(Object.keys(EVENT_KIND_TABLE).sort());
  });

  test('privileged kinds are exactly those whose rule is privileged; their act is a subject', () => {
    expect(PRIVILEGED_KINDS).toEqual([
      'setuid', 'setgid', 'ptrace', 'kill', 'mount', 'capset', 'setgroups', 'unshare', 'setns', 'chroot', 'pivot_root', 'bpf', 'module',
      'process_vm', 'perf_event', 'kexec', 'reboot', 'pidfd_getfd', 'socket',
    ]);
    for (const kind of EVENT_KINDS)
      expect(subjectsOf(SAMPLES[kind]).some((s) => s.type === 'act'), kind).toBe(PRIVILEGED_KINDS.includes(kind));
  });

  test('every subject is of a type its row declares, and every rule judges a type the kind carries', () => {
    for (const kind of EVENT_KINDS) {
      const event = SAMPLES[kind];
      const types = subjectTypesOf(kind);
      for (const subject of subjectsOf(event)) expect(types, kind).toContain(subject.type);
      const rule = ruleOf(event);
      if (rule) expect(types, kind).toContain(RULE_SUBJECT[rule]);
    }
  });

  test('per kind: rule, subjects, line', () => {
    const spec = Object.fromEntries(
      EVENT_KINDS.map((kind) => {
        const e = SAMPLES[kind];
        return [kind, `${ruleOf(e) ?? '-'} | ${JSON.stringify(subjectsOf(e).map((s) => ({ [s.type]: s.value })))} | ${formatEvent(e)}`];
      }),
    );
    expect(spec).toMatchInlineSnapshot(`
      {
        "bpf": "privileged | [{"act":"bpf"}] | bpf 7, 0",
        "capset": "privileged | [{"act":"capset"}] | capset 0, 0",
        "chmod": "write | [{"path":"/work/app/run.sh"}] | chmod /work/app/run.sh  0600",
        "chown": "write | [{"path":"/work/app/run.sh"}] | chown /work/app/run.sh  0:-1  EPERM",
        "chroot": "privileged | [{"act":"chroot"}] | chroot /tmp/jail  EPERM",
        "connect": "connect | [{"endpoint":{"family":"inet","address":"127.0.0.1","port":5432,"text":"127.0.0.1:5432"}}] | connect 127.0.0.1:5432",
        "dns": "resolve | [{"host":"registry.example.com"}] | dns registry.example.com  AAAA via 127.0.0.53:53",
        "env": "env | [{"variable":"SOME_TOKEN"}] | env SOME_TOKEN  getenv",
        "exec": "exec | [{"program":{"path":"/usr/bin/dash","requested":"/bin/sh"}}] | exec /usr/bin/dash  ["sh","-c","ls"]  (requested /bin/sh)  [child 4242]",
        "exit": "- | [] | exit pid 4242  status 256  [child 4242]",
        "file_open": "read | [{"path":"/work/app/config.json"}] | open (read) /work/app/config.json",
        "fork": "- | [] | fork pid 4242",
        "http": "http | [{"request":{"method":"GET","scheme":"https","host":"api.example.com","port":443,"path":"/v1/users","text":"GET https://api.example.com/v1/users"}}] | request GET https://api.example.com/v1/users  HTTP/1.1",
        "kexec": "privileged | [{"act":"kexec"}] | kexec 0, 0  kexec_file_load  EPERM",
        "kill": "privileged | [{"act":"kill"}] | kill pid 77  signal 9",
        "link": "write | [{"path":"/work/app/a"},{"path":"/work/app/hard-a"}] | link /work/app/a  → /work/app/hard-a",
        "list": "read | [{"path":"/work/app/fixtures"}] | list /work/app/fixtures",
        "load": "load | [{"library":"/work/app/build/addon.node"}] | load /work/app/build/addon.node",
        "mkdir": "write | [{"path":"/tmp/x/out"}] | mkdir /tmp/x/out  0755",
        "mknod": "write | [{"path":"/tmp/x/fifo"}] | mknod /tmp/x/fifo  10644",
        "module": "privileged | [{"act":"module"}] | module /tmp/evil.ko  finit_module  EPERM",
        "mount": "privileged | [{"path":"/mnt/data"},{"act":"mount"}] | mount /mnt/data  tmpfs from none  EPERM",
        "perf_event": "privileged | [{"act":"perf_event"}] | perf_event 0, 0  perf_event_open  EACCES",
        "pidfd_getfd": "privileged | [{"act":"pidfd_getfd"}] | pidfd_getfd 9, 3  EPERM",
        "pivot_root": "privileged | [{"act":"pivot_root"}] | pivot_root /tmp/newroot  EPERM",
        "process_vm": "privileged | [{"act":"process_vm"}] | process_vm 77, 0  process_vm_readv  EPERM",
        "ptrace": "privileged | [{"act":"ptrace"}] | ptrace pid 77  request 16  EPERM",
        "reboot": "privileged | [{"act":"reboot"}] | reboot 0, 0  EPERM",
        "rename": "write | [{"path":"/tmp/x/a.json"},{"path":"/work/app/b.json"}] | rename /tmp/x/a.json  → /work/app/b.json",
        "rmdir": "write | [{"path":"/tmp/x"}] | rmdir /tmp/x  ENOENT",
        "send": "connect | [{"endpoint":{"family":"inet","address":"10.0.0.8","port":514,"text":"10.0.0.8:514"}}] | send 10.0.0.8:514",
        "setgid": "privileged | [{"act":"setgid"}] | setgid 0, 0",
        "setgroups": "privileged | [{"act":"setgroups"}] | setgroups 0, 0  EPERM",
        "setns": "privileged | [{"act":"setns"}] | setns 5, 0",
        "setuid": "privileged | [{"act":"setuid"}] | setuid 0  EPERM",
        "socket": "privileged | [{"act":"socket"}] | socket netlink raw",
        "symlink": "write | [{"path":"/work/app/latest"}] | symlink /work/app/latest  → v2",
        "truncate": "write | [{"path":"/work/app/log.txt"}] | truncate /work/app/log.txt  truncate",
        "unlink": "write | [{"path":"/tmp/x/old.txt"}] | unlink /tmp/x/old.txt",
        "unobservable": "- | [] | unobservable io_uring_setup  io_uring runs file and network operations inside the kernel, where the syscalls backend cannot see them (vivariumd --backend lsm sees them)",
        "unshare": "privileged | [{"act":"unshare"}] | unshare 131072, 0",
        "utime": "write | [{"path":"/etc/hostname"}] | utime /etc/hostname  utimensat  EPERM",
        "xattr": "write | [{"path":"/work/app/a"}] | xattr /work/app/a  set user.origin",
      }
    `);
  });
});

describe('rules that depend on the event', () => {
  test.each([
    ['an open for reading', open('/a'), 'read'],
    ['an open read-write', open('/a', { access: 'read-write' }), 'write'],
    ['an open that creates', open('/a', { create: true }), 'write'],
    ['an open that truncates', open('/a', { truncate: true }), 'write'],
    ['an open to append', open('/a', { access: 'write', append: true }), 'write'],
    ['a failed open to write', openToWrite('/a', failed('EACCES')), 'write'],
    ['an exec', exec('/usr/bin/ls', ['ls']), 'exec'],
    ['an exec that failed EACCES', exec('/usr/bin/ls', [], failed('EACCES')), 'exec'],
    ['a failed PATH lookup (ENOENT)', exec('/usr/local/bin/ls', [], failed('ENOENT')), undefined],
    ['a failed PATH lookup (ENOTDIR)', exec('/usr/local/bin/ls', [], failed('ENOTDIR')), undefined],
    ['a connect', connect(SAMPLES.connect.endpoint), 'connect'],
    ['a connect(AF_UNSPEC)', connect(unspec), undefined],
    ['a DNS query', dns('example.com'), 'resolve'],
    ['a DNS query whose name could not be read', dns(''), 'resolve'],
  ])('%s → %s', (_what, event, rule) => {
    expect(ruleOf(event)).toBe(rule);
  });
});

describe('subjects', () => {
  test('a rename or link carries both paths', () => {
    expect(subjectsOf(rename('link', '/a', '/b'))).toEqual([
      { type: 'path', value: '/a' },
      { type: 'path', value: '/b' },
    ]);
  });

  test('a program is the file run and the path asked for', () => {
    expect(subjectsOf(SAMPLES.exec)).toEqual([{ type: 'program', value: { path: '/usr/bin/dash', requested: '/bin/sh' } }]);
  });

  test('a DNS name that could not be read is no subject', () => {
    expect(subjectsOf(dns(''))).toEqual([]);
    expect(describeEvent(dns('')).subject).toBe('(unparsed)');
  });
});

describe('lines', () => {
  test('errno of failed attempts only; a connect in progress succeeded', () => {
    expect(formatEvent(open('/nope', failed('ENOENT')))).toBe('open (read) /nope  ENOENT');
    expect(succeeded(SAMPLES.connect)).toBe(true);
    expect(formatEvent(SAMPLES.connect)).toBe('connect 127.0.0.1:5432');
    expect(formatEvent(connect(SAMPLES.connect.endpoint, failed('ECONNREFUSED')))).toBe('connect 127.0.0.1:5432  ECONNREFUSED');
  });

  test('the requested path when the kernel resolved another; the child that did it', () => {
    expect(formatEvent(open('/real/file', { requestedPath: '/link/file', ...byChild }))).toBe(
      'open (read) /real/file  (requested /link/file)  [child 4242]',
    );
  });
});

describe('success', () => {
  test('a result >= 0; for a connect, one still in progress too', () => {
    expect(succeeded(open('/a'))).toBe(true);
    expect(succeeded(open('/a', failed('ENOENT')))).toBe(false);
    expect(succeeded(SAMPLES.connect)).toBe(true);
    expect(succeeded(connect(SAMPLES.connect.endpoint, failed('ECONNREFUSED')))).toBe(false);
  });
});
