import { describe, expect, test } from 'vitest';
import { BlindReason, DnsMode, EnvOp, EventFlag, HttpFlag, KindCode, LoadHow, Syscall } from '../src/abi.generated.js';
import { absoluteRequested, decodeEvent } from '../src/decode.js';
import { DecodeError } from '../src/errors.js';
import { Http2Connections } from '../src/http/http2.js';
import { asView, buildRecord } from './helpers/record-builder.js';

const decode = (bytes: Uint8Array) => decodeEvent(asView(bytes), 0, bytes.length);

describe('decodeEvent', () => {
  test('a successful open: resolved path, requested path made absolute, access mode', () => {
    const event = decode(
      buildRecord({ result: 5, openFlags: 0o1101, mode: 0o644, fields: ['/real/file.txt', 'link.txt', '/work/dir'] }),
    );
    expect(event).toMatchObject({
      kind: 'file_open',
      path: '/real/file.txt',
      requested: 'link.txt',
      requestedPath: '/work/dir/link.txt',
      access: 'write',
      create: true,
      truncate: true,
      append: false,
      mode: 0o644,
      result: 5,
      errno: undefined,
      pid: 100,
      tid: 101,
      child: false,
      truncated: false,
    });
  });

  test('an open is a plain object, equal to the same literal under toStrictEqual', () => {
    const event = decode(buildRecord({ result: 3, fields: ['/p', '/p'] }));
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(event).toStrictEqual({ ...event });
    expect(Object.keys(event)).toEqual(['kind', 'timeNs', 'pid', 'tid', 'child', 'result', 'errno', 'epoch', 'truncated', 'path', 'requestedPath', 'requested', 'unresolved', 'fsView', 'flags', 'mode', 'access', 'create', 'truncate', 'append']);
  });

  test('a failed open falls back to the requested path and names the errno', () => {
    const event = decode(buildRecord({ result: -2, fields: ['', '../x/./missing', '/a/b'] }));
    expect(event).toMatchObject({ path: '/a/x/missing', requestedPath: '/a/x/missing', errno: 'ENOENT' });
  });

  test('flags: child and truncation', () => {
    const event = decode(buildRecord({ flags: EventFlag.CHILD | EventFlag.TRUNCATED_PATH, fields: ['/p', '/p'] }));
    expect(event).toMatchObject({ child: true, truncated: true });
  });

  test('fork and exit', () => {
    expect(decode(buildRecord({ kind: KindCode.FORK, aux: 4242 }))).toMatchObject({ kind: 'fork', childPid: 4242 });
    expect(decode(buildRecord({ kind: KindCode.EXIT, aux: 256 }))).toMatchObject({ kind: 'exit', status: 256 });
  });

  test('records inside a larger buffer decode at their offset', () => {
    const record = buildRecord({ fields: ['/x', '/x'] });
    const buffer = new Uint8Array(record.length + 16);
    buffer.set(record, 16);
    expect(decodeEvent(new DataView(buffer.buffer), 16, record.length)).toMatchObject({ path: '/x' });
  });

  test('non-UTF-8 bytes do not throw', () => {
    const bytes = buildRecord({ fields: [new Uint8Array([0x2f, 0xff, 0xfe]) as unknown as string, '/'] });
    expect(decode(bytes).kind).toBe('file_open');
  });

  test.each([
    ['shorter than the header', () => buildRecord().subarray(0, 20)],
    ['fields longer than the record', () => buildRecord({ fields: ['/abc'] }).subarray(0, 50)],
    ['an unknown kind', () => buildRecord({ kind: 999 })],
  ])('rejects a record %s with a DecodeError', (_, make) => {
    expect(() => decode(make())).toThrow(DecodeError);
  });

  test('fuzz: random and truncated records never crash or hang', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 20_000; i++) {
      const length = random() % 200;
      const bytes = new Uint8Array(length);
      for (let j = 0; j < length; j++) bytes[j] = random() & 0xff;
      if (length > 21 && i % 2) bytes[20] = 1 + (random() % 3); // a valid kind half the time
      try {
        decode(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(DecodeError);
      }
    }
  });
});

describe('absoluteRequested', () => {
  test.each([
    ['/etc/hosts', '', '/etc/hosts'],
    ['/etc/../etc/./hosts', '/x', '/etc/hosts'],
    ['hosts', '/etc', '/etc/hosts'],
    ['../hosts', '/etc/ssl', '/etc/hosts'],
    ['rel', '', 'rel'],
  ])('%s against %s is %s', (requested, base, expected) => {
    expect(absoluteRequested(requested, base)).toBe(expected);
  });
});

describe('decodeEvent, other kinds', () => {
  test('rename: PATH = the old path and EXTRA = the new one, both walked by the kernel; REQUESTED as passed', () => {
    const event = decode(buildRecord({ kind: KindCode.RENAME, result: 0, fields: ['/real/src/a.txt', 'link/a.txt', '', '/real/dst/b.txt'] }));
    expect(event).toMatchObject({ kind: 'rename', path: '/real/src/a.txt', requested: 'link/a.txt', to: '/real/dst/b.txt', unresolved: false });
  });

  test('a path the kernel could not resolve is marked', () => {
    const event = decode(buildRecord({ kind: KindCode.UNLINK, result: 0, flags: EventFlag.UNRESOLVED, fields: ['/tmp/x/y', 'x/y'] }));
    expect(event).toMatchObject({ kind: 'unlink', path: '/tmp/x/y', requested: 'x/y', unresolved: true });
  });

  test('unobservable: the syscall and why, naming what would see it', () => {
    const event = decode(buildRecord({ kind: KindCode.UNOBSERVABLE, result: 3, aux: BlindReason.IO_URING, mode: Syscall.io_uring_setup }));
    expect(event).toMatchObject({ kind: 'unobservable', syscall: 'io_uring_setup' });
    expect((event as { reason: string }).reason).toContain('--backend lsm');
  });

  test('unobservable: a program that gained privileges, for a worker registered without root', () => {
    const event = decode(buildRecord({ kind: KindCode.UNOBSERVABLE, result: 0, aux: BlindReason.PRIVILEGED_EXEC, mode: Syscall.execve }));
    expect(event).toMatchObject({ kind: 'unobservable', syscall: 'execve' });
    expect((event as { reason: string }).reason).toMatch(/^the program gained privileges by exec \(setuid, setgid or file capabilities\).*\(run the tests as root to observe it\)$/);
  });

  test('unobservable: a 32-bit program', () => {
    const event = decode(buildRecord({ kind: KindCode.UNOBSERVABLE, result: 0, aux: BlindReason.COMPAT_EXEC, mode: Syscall.execve }));
    expect(event).toMatchObject({ kind: 'unobservable', syscall: 'execve' });
    expect((event as { reason: string }).reason).toMatch(/^a 32-bit program: .*\(build it for x86-64\)$/);
  });

  test('unobservable: an i386 system call from a 64-bit program, named by its i386 number', () => {
    const event = decode(buildRecord({ kind: KindCode.UNOBSERVABLE, result: 3, aux: BlindReason.COMPAT_SYSCALL, mode: 5 }));
    expect(event).toMatchObject({ kind: 'unobservable', syscall: 'i386 syscall 5', result: 3 });
    expect((event as { reason: string }).reason).toMatch(/^a 64-bit program made an i386 system call \(int 0x80\): .*\(use the syscall instruction\)$/);
  });

  test('unobservable: a sendmmsg whose messages differ', () => {
    const event = decode(buildRecord({ kind: KindCode.UNOBSERVABLE, result: 2, aux: BlindReason.SENDMMSG, mode: Syscall.sendmmsg }));
    expect(event).toMatchObject({ kind: 'unobservable', syscall: 'sendmmsg' });
    expect((event as { reason: string }).reason).toMatch(/^its messages go to different destinations or ask different names/);
  });

  test('exec: argv split on NULs', () => {
    const event = decode(buildRecord({ kind: KindCode.EXEC, result: 0, fields: ['/usr/bin/ls', 'ls', '/w', 'ls\0-l\0/tmp\0'] }));
    expect(event).toMatchObject({ kind: 'exec', path: '/usr/bin/ls', requestedPath: '/w/ls', argv: ['ls', '-l', '/tmp'] });
  });

  test('http, HTTP/1: the request line (the kernel cut the query) and the Host', () => {
    const event = decode(buildRecord({ kind: KindCode.HTTP, result: 80, aux: HttpFlag.H1, openFlags: 0x1000, fields: ['', 'GET /v1/users HTTP/1.1', 'api.example.com'] }));
    expect(event).toEqual(
      expect.objectContaining({
        kind: 'http',
        protocol: 'HTTP/1.1',
        requests: [{ method: 'GET', scheme: 'https', host: 'api.example.com', port: 443, path: '/v1/users', text: 'GET https://api.example.com/v1/users' }],
      }),
    );
  });

  test('http, HTTP/1 cut by the kernel: the request is unknown', () => {
    const flags = EventFlag.TRUNCATED_REQUESTED | EventFlag.TRUNCATED_BASE;
    const event = decode(buildRecord({ kind: KindCode.HTTP, aux: HttpFlag.H1, flags, fields: ['', 'GET /very/long', ''] }));
    expect(event).toMatchObject({ kind: 'http', truncated: true, requests: [{ unknown: 'its request line is longer than Vivarium reads' }] });
  });

  test('http, HTTP/2: frames decoded with the connection table the worker keeps', () => {
    const frames = (block: string) => {
      const payload = Buffer.from(block.replace(/\s/g, ''), 'hex');
      const header = Buffer.from([0, 0, payload.length, 1, 4, 0, 0, 0, 1]);
      return new Uint8Array(Buffer.concat([header, payload]));
    };
    const connections = new Http2Connections();
    const write = (block: string, aux: number, mode = 0) => {
      const record = buildRecord({ kind: KindCode.HTTP, aux, mode, openFlags: 0xabc, fields: ['', '', '', frames(block)] });
      return decodeEvent(asView(record), 0, record.length, connections);
    };
    const first = write('82 87 84 41 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff', HttpFlag.H2 | HttpFlag.H2_START);
    expect(first).toMatchObject({ kind: 'http', protocol: 'HTTP/2', requests: [{ text: 'GET https://www.example.com/' }] });
    // :authority from the dynamic table of the same connection (same pid, same SSL object) ...
    expect(write('83 87 84 be', HttpFlag.H2)).toMatchObject({ requests: [{ text: 'POST https://www.example.com/' }] });
    // ... and not from another's.
    expect(write('83 87 84 be', HttpFlag.H2, 1)).toMatchObject({ requests: [{ unknown: expect.stringContaining('not followed from the start') }] });
  });

  test('dns: the question of the message', () => {
    const question = Buffer.concat([
      Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from('\x07example\x04test\x00', 'latin1'),
      Buffer.from([0, 28, 0, 1]),
    ]);
    const server = new Uint8Array(16);
    new DataView(server.buffer).setUint16(0, 2, true);
    new DataView(server.buffer).setUint16(2, 53, false);
    server.set([127, 0, 0, 1], 4);
    const event = decode(buildRecord({ kind: KindCode.DNS, result: 0, fields: ['', '', server as unknown as string, question] }));
    expect(event).toMatchObject({ kind: 'dns', name: 'example.test', type: 'AAAA', server: { text: '127.0.0.1:53' } });
  });

  test('dns: a write on a TCP stream is a segment for the stream to frame, its bytes copied out of the ring', () => {
    const server = new Uint8Array(16);
    new DataView(server.buffer).setUint16(0, 2, true);
    new DataView(server.buffer).setUint16(2, 53, false);
    server.set([127, 0, 0, 9], 4);
    const record = buildRecord({ kind: KindCode.DNS, result: 9, mode: DnsMode.SEGMENT, aux: 4242, openFlags: 0xfffffffe, fields: ['', '', server as unknown as string, new Uint8Array([0, 7, 1, 2, 3])] });
    const segment = decode(record);
    expect(segment).toMatchObject({ kind: 'dns_segment', result: 9, stream: 4242, seq: 0xfffffffe, server: { text: '127.0.0.9:53' } });
    record.fill(0);
    expect([...(segment as { bytes: Uint8Array }).bytes]).toEqual([0, 7, 1, 2, 3]);
  });
});

describe('what a process asks its libraries for, and odd sockets', () => {
  test('env: the name only, and which call', () => {
    expect(decode(buildRecord({ kind: KindCode.ENV, result: 0, aux: EnvOp.GETENV, fields: ['', '', '', 'SOME_TOKEN'] }))).toMatchObject({ kind: 'env', name: 'SOME_TOKEN', op: 'getenv', write: false });
    expect(decode(buildRecord({ kind: KindCode.ENV, result: 0, aux: EnvOp.PUTENV, fields: ['', '', '', 'PATH'] }))).toMatchObject({ name: 'PATH', op: 'putenv', write: true });
    expect(decode(buildRecord({ kind: KindCode.ENV, result: 0, aux: EnvOp.CLEARENV }))).toMatchObject({ name: '', op: 'clearenv', write: true });
  });

  test('load: a relative path with a / is made absolute against the cwd; a bare name is kept as passed', () => {
    expect(decode(buildRecord({ kind: KindCode.LOAD, result: 0, openFlags: 1, fields: ['', './build/addon.node', '/work/app', ''] }))).toMatchObject({
      kind: 'load', path: '/work/app/build/addon.node', requested: './build/addon.node', flags: 1, how: 'dlopen',
    });
    expect(decode(buildRecord({ kind: KindCode.LOAD, result: 0, aux: LoadHow.DLMOPEN, fields: ['', 'libz.so.1', '/work/app', ''] }))).toMatchObject({ path: 'libz.so.1', how: 'dlmopen' });
  });

  test('list: the directory, and how many bytes of entries the call returned', () => {
    expect(decode(buildRecord({ kind: KindCode.LIST, result: 4096, fields: ['/etc/ssl/certs', '', '', ''] }))).toMatchObject({ kind: 'list', path: '/etc/ssl/certs', result: 4096 });
  });

  test('socket: family, type without its flags, protocol', () => {
    expect(decode(buildRecord({ kind: KindCode.SOCKET, result: 5, aux: 2, openFlags: 3 | 0o2000000, mode: 1 }))).toMatchObject({ kind: 'socket', family: 'inet', type: 'raw', protocol: 1 });
    expect(decode(buildRecord({ kind: KindCode.SOCKET, result: 5, aux: 16, openFlags: 3 }))).toMatchObject({ family: 'netlink', type: 'raw', protocol: 0 });
  });
});
