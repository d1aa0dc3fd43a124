// Hand-made events of every kind, as the decoder would produce them, for
// tests that need no kernel.
import type { EventOf } from '../../src/event-kinds.js';
import type { EventKind, VivariumEvent } from '../../src/events.js';
import { type HttpRequest, makeRequest } from '../../src/http/request.js';
import type { Endpoint } from '../../src/sockaddr.js';

type Common = 'timeNs' | 'pid' | 'tid' | 'child' | 'result' | 'errno' | 'epoch' | 'truncated';
type Fields<K extends EventKind> = Omit<EventOf<K>, Common | 'kind'> & Partial<Pick<VivariumEvent, Common>>;

/** An event of `kind`: a successful one of the worker itself unless the fields say otherwise. */
export function event<K extends EventKind>(kind: K, fields: Fields<K>): EventOf<K> {
  return { kind, timeNs: 0, pid: 10, tid: 10, child: false, result: 0, errno: undefined, epoch: 1, truncated: false, ...fields } as EventOf<K>;
}

/** What a failed attempt adds: `-errno` and its name. */
export const failed = (errno: 'ENOENT' | 'EACCES' | 'EPERM' | 'ECONNREFUSED' | 'EINPROGRESS' | 'ENOTDIR') =>
  ({ ENOENT: { result: -2, errno }, EACCES: { result: -13, errno }, EPERM: { result: -1, errno }, ECONNREFUSED: { result: -111, errno }, EINPROGRESS: { result: -115, errno }, ENOTDIR: { result: -20, errno } })[errno];

/** A child process's doing. */
export const byChild = { child: true, pid: 4242, tid: 4242 };

const paths = (path: string) => ({ path, requestedPath: path, requested: path, unresolved: false });

export const open = (path: string, extra: Partial<Fields<'file_open'>> = {}) =>
  event('file_open', { ...paths(path), flags: 0, mode: 0, access: 'read', create: false, truncate: false, append: false, result: 3, ...extra });

/** An open with O_WRONLY|O_CREAT|O_TRUNC, as writeFileSync does. */
export const openToWrite = (path: string, extra: Partial<Fields<'file_open'>> = {}) =>
  open(path, { flags: 0o1101, mode: 0o666, access: 'write', create: true, truncate: true, ...extra });

export const exec = (path: string, argv: string[], extra: Partial<Fields<'exec'>> = {}) => event('exec', { ...paths(path), argv, ...extra });

export function inet(address: string, port: number): Endpoint {
  const family = address.includes(':') ? 'inet6' : 'inet';
  return { family, address, port, text: family === 'inet6' ? `[${address}]:${port}` : `${address}:${port}` };
}
export const unix = (address: string): Endpoint => ({ family: 'unix', address, port: 0, text: `unix:${address}` });
export const unspec: Endpoint = { family: 'unspec', address: '', port: 0, text: '(disconnect)' };

export const connect = (endpoint: Endpoint, extra: Partial<Fields<'connect'>> = {}) => event('connect', { endpoint, fd: 5, ...extra });

export const dns = (name: string, extra: Partial<Fields<'dns'>> = {}) => event('dns', { name, type: 'A', server: inet('127.0.0.53', 53), ...extra });

export const onPath = <K extends 'unlink' | 'rmdir' | 'mkdir' | 'chmod'>(kind: K, path: string, extra: Partial<Fields<K>> = {}) =>
  event(kind, { ...paths(path), mode: kind === 'mkdir' ? 0o755 : kind === 'chmod' ? 0o600 : 0, ...extra } as Fields<K>);

export const send = (endpoint: Endpoint, extra: Partial<Fields<'send'>> = {}) => event('send', { endpoint, fd: 7, ...extra });

export const unobservable = (syscall = 'io_uring_setup') =>
  event('unobservable', { syscall, reason: `io_uring runs file and network operations inside the kernel, where the syscalls backend cannot see them (vivariumd --backend lsm sees them)`, result: 3 });

export const privileged = <K extends EventOf<'bpf'>['kind']>(kind: K, syscall: string, extra: Partial<Fields<'bpf'>> = {}) =>
  event(kind, { syscall, args: [0, 0], path: '', ...extra } as Fields<K>);

export const rename = (kind: 'rename' | 'link', from: string, to: string, extra: Partial<Fields<'rename'>> = {}) =>
  event(kind, { ...paths(from), to, flags: 0, ...extra });

export const request = (method: string, url: string, extra: Partial<HttpRequest> = {}): HttpRequest => {
  const u = new URL(url);
  return { ...makeRequest({ method, scheme: u.protocol.slice(0, -1), authority: u.host, target: u.pathname }), ...extra };
};

export const http = (requests: HttpRequest[], extra: Partial<Fields<'http'>> = {}) => event('http', { protocol: 'HTTP/1.1', requests, result: 120, ...extra });

/** One event of every kind: the table's rows are specified on these. */
export const SAMPLES: { [K in EventKind]: EventOf<K> } = {
  file_open: open('/work/app/config.json'),
  exec: exec('/usr/bin/dash', ['sh', '-c', 'ls'], { requestedPath: '/bin/sh', requested: 'sh', ...byChild }),
  connect: connect(inet('127.0.0.1', 5432), failed('EINPROGRESS')),
  unlink: onPath('unlink', '/tmp/x/old.txt'),
  rmdir: onPath('rmdir', '/tmp/x', failed('ENOENT')),
  rename: rename('rename', '/tmp/x/a.json', '/work/app/b.json'),
  mkdir: onPath('mkdir', '/tmp/x/out'),
  fork: event('fork', { childPid: 4242 }),
  exit: event('exit', { status: 256, ...byChild }),
  chmod: onPath('chmod', '/work/app/run.sh'),
  chown: event('chown', { ...paths('/work/app/run.sh'), uid: 0, gid: -1, ...failed('EPERM') }),
  link: rename('link', '/work/app/a', '/work/app/hard-a'),
  symlink: event('symlink', { ...paths('/work/app/latest'), requested: 'v2', target: 'v2' }),
  dns: dns('registry.example.com', { type: 'AAAA' }),
  setuid: event('setuid', { ids: [0], ...failed('EPERM') }),
  setgid: event('setgid', { ids: [0, 0] }),
  ptrace: event('ptrace', { request: 16, targetPid: 77, ...failed('EPERM') }),
  kill: event('kill', { targetPid: 77, signal: 9 }),
  mount: event('mount', { ...paths('/mnt/data'), op: 'mount', source: 'none', fstype: 'tmpfs', unmount: false, flags: 0, ...failed('EPERM') }),
  truncate: event('truncate', { ...paths('/work/app/log.txt'), syscall: 'truncate' }),
  utime: event('utime', { ...paths('/etc/hostname'), syscall: 'utimensat', ...failed('EPERM') }),
  xattr: event('xattr', { ...paths('/work/app/a'), name: 'user.origin', remove: false }),
  mknod: event('mknod', { ...paths('/tmp/x/fifo'), mode: 0o10644, device: 0 }),
  send: send(inet('10.0.0.8', 514)),
  unobservable: unobservable(),
  capset: privileged('capset', 'capset'),
  setgroups: privileged('setgroups', 'setgroups', failed('EPERM')),
  unshare: privileged('unshare', 'unshare', { args: [0x20000, 0] }),
  setns: privileged('setns', 'setns', { args: [5, 0] }),
  chroot: privileged('chroot', 'chroot', { path: '/tmp/jail', ...failed('EPERM') }),
  pivot_root: privileged('pivot_root', 'pivot_root', { path: '/tmp/newroot', ...failed('EPERM') }),
  bpf: privileged('bpf', 'bpf', { args: [7, 0] }),
  module: privileged('module', 'finit_module', { path: '/tmp/evil.ko', ...failed('EPERM') }),
  process_vm: privileged('process_vm', 'process_vm_readv', { args: [77, 0], ...failed('EPERM') }),
  perf_event: privileged('perf_event', 'perf_event_open', failed('EACCES')),
  kexec: privileged('kexec', 'kexec_file_load', failed('EPERM')),
  reboot: privileged('reboot', 'reboot', failed('EPERM')),
  pidfd_getfd: privileged('pidfd_getfd', 'pidfd_getfd', { args: [9, 3], ...failed('EPERM') }),
  env: event('env', { name: 'SOME_TOKEN', op: 'getenv', write: false }),
  load: event('load', { path: '/work/app/build/addon.node', requested: './build/addon.node', flags: 1, how: 'dlopen' }),
  list: event('list', { ...paths('/work/app/fixtures'), requested: '', result: 4096 }),
  socket: event('socket', { family: 'netlink', type: 'raw', protocol: 0 }),
  http: http([request('GET', 'https://api.example.com/v1/users')]),
};

/** An environment call: a read (getenv) unless `op` says otherwise. */
export const env = (name: string, op: EventOf<'env'>['op'] = 'getenv', extra: Partial<Fields<'env'>> = {}) =>
  event('env', { name, op, write: op !== 'getenv' && op !== 'secure_getenv', ...extra });

export const load = (path: string, extra: Partial<Fields<'load'>> = {}) => event('load', { path, requested: path, flags: 1, how: 'dlopen', ...extra });
