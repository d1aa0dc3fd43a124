#!/usr/bin/env node
// The differential probe: one operation per case, each under observe(),
// with the edge cases where the backends could differ — attempts that fail
// before an LSM hook (the lookup) or after it (ENOTEMPTY, ENXIO, ENOEXEC),
// O_PATH and O_TMPFILE opens, fd-based calls, every privileged kind. It
// prints the events of each case, normalised (no times, pids, fds, temp
// paths), as JSON. test/vm/matrix.mjs runs it under both backends on each
// kernel and requires the same events, except where a case is marked
// `lsmSeesMore` (operations only an LSM hook can see).
//
//   VIVARIUM_BPF_PIN_DIR=/sys/fs/bpf/<dir> node test/vm/probe.mjs [--only name,...] > events.json
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import fs from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session, observe } from '@vivarium/core';

const O_PATH = 0o10000000;
const O_TMPFILE = 0o20200000;
const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vivarium-probe-')));
const at = (...parts) => path.join(dir, ...parts);
const attempt = (fn) => {
  try {
    fn();
  } catch {
    // the attempt is what matters
  }
};
const connect = (...args) => new Promise((resolve) => net.connect(...args).on('close', resolve).on('error', resolve));

/** A DNS query for `name` (type A), as a resolver sends it. */
function dnsQuery(name) {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  return Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

// A forked child that opens nothing, so the events do not depend on timing.
const PTRACE_PY = `
import ctypes, os, signal, time
libc = ctypes.CDLL(None, use_errno=True)
pid = os.fork()
if pid == 0:
    time.sleep(5)
    os._exit(0)
libc.ptrace(16, pid, None, None)  # PTRACE_ATTACH
os.waitpid(pid, 0)
libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
`;

/** A child started outside the window and settled (sleeping), so its start-up is not in the events. */
async function settledChild(command, args) {
  const child = spawn(command, args, { stdio: 'ignore' });
  for (;;) {
    let state = '';
    try {
      state = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1][0];
      if (state === 'S' && path.basename(fs.readlinkSync(`/proc/${child.pid}/exe`)) === command) return child;
    } catch {
      // not there yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The evasion scenarios' helper (test/e2e/evasion/evade.c, built by the matrix). */
const EVADE = fileURLToPath(new URL('../e2e/evasion/build/evade', import.meta.url));
/** The other helpers built with it (test/e2e/evasion/Makefile). */
const HELPER = (name) => path.join(path.dirname(EVADE), name);
const evade = (...args) => spawnSync(EVADE, args);
/** A directory of the probe's, and one that leads elsewhere through a symlink. */
const viaLink = (...parts) => path.join(dir, 'link', ...parts);

/** name → { setup?, run, lsmSeesMore? }; run's events are the case's. */
const cases = {
  'open: read': { run: () => fs.readFileSync('/etc/hostname') },
  'open: ENOENT (fails in the lookup, before file_open)': { run: () => attempt(() => fs.readFileSync(at('missing'))) },
  'open: EEXIST (O_EXCL, before file_open)': { setup: () => fs.writeFileSync(at('f'), 'x'), run: () => attempt(() => fs.openSync(at('f'), 'wx')) },
  'open: EISDIR (before file_open)': { run: () => attempt(() => fs.openSync(dir, 'w')) },
  'open: ENXIO (FIFO, fails after file_open)': {
    setup: () => execFileSync('mkfifo', [at('fifo')]),
    run: () => attempt(() => fs.openSync(at('fifo'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK)),
  },
  'open: O_PATH (no file_open hook)': { run: () => fs.closeSync(fs.openSync(at('f'), O_PATH)) },
  'open: O_TMPFILE (unlinked at open)': { run: () => fs.closeSync(fs.openSync(dir, O_TMPFILE | fs.constants.O_RDWR, 0o600)) },
  'open: relative, after chdir': {
    run: () => {
      const before = process.cwd();
      process.chdir(dir);
      try {
        fs.readFileSync('f');
      } finally {
        process.chdir(before);
      }
    },
  },
  'open: through a symlink': { setup: () => fs.symlinkSync(at('f'), at('f-link')), run: () => fs.readFileSync(at('f-link')) },
  'exec: success': { run: () => spawnSync('/bin/true') },
  'exec: ENOENT': { run: () => spawnSync(at('no-such-program')) },
  'exec: EACCES (not executable, before the bprm hook)': { setup: () => fs.writeFileSync(at('data'), 'x', { mode: 0o644 }), run: () => spawnSync(at('data')) },
  'exec: ENOEXEC (after the bprm hook)': {
    setup: () => fs.writeFileSync(at('garbage'), Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]), { mode: 0o755 }),
    run: () => spawnSync(at('garbage')),
  },
  'connect: TCP, refused (EINPROGRESS)': { run: () => connect(1, '127.0.0.1') },
  'connect: unix, ENOENT (after the hook)': { run: () => connect(at('no-such.sock')) },
  'connect: TCP, accepted': {
    setup: async (ctx) => {
      ctx.server = net.createServer((s) => s.end()).listen(0, '127.0.0.1');
      await new Promise((resolve) => ctx.server.once('listening', resolve));
    },
    run: (ctx) => connect(ctx.server.address().port, '127.0.0.1').then(() => ctx.server.close()),
  },
  'dns: resolver query': {
    run: async () => {
      const resolver = new dns.promises.Resolver({ timeout: 500, tries: 1 });
      resolver.setServers(['127.0.0.1']);
      await resolver.resolve4('probe.vivarium.test').catch(() => {});
    },
  },
  'dns: unconnected UDP send': {
    run: async () => {
      const socket = dgram.createSocket('udp4');
      await new Promise((resolve) => socket.send(dnsQuery('raw.vivarium.test'), 53, '127.0.0.1', resolve));
      socket.close();
    },
  },
  'mkdir: ok': { run: () => fs.mkdirSync(at('d')) },
  'mkdir: EEXIST (before the hook)': { run: () => attempt(() => fs.mkdirSync(at('d'))) },
  'rmdir: ENOTEMPTY (after the hook)': { setup: () => fs.writeFileSync(at('d', 'x'), 'x'), run: () => attempt(() => fs.rmdirSync(at('d'))) },
  'unlink + rmdir: ok': { run: () => (fs.unlinkSync(at('d', 'x')), fs.rmdirSync(at('d'))) },
  'mkdir, unlink: EACCES as nobody (may_create, may_delete: after the hooks)': {
    setup: () => {
      fs.chmodSync(dir, 0o755);
      fs.mkdirSync(at('denied'), { mode: 0o755 });
      fs.writeFileSync(at('denied', 'f'), 'x');
    },
    run: () =>
      spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c', `mkdir ${at('denied', 'x')}; rm -f ${at('denied', 'f')}`]),
  },
  'open: O_CREAT|O_TRUNC, new file': { run: () => fs.closeSync(fs.openSync(at('new'), 'w', 0o640)) },
  'unlink: ENOENT (before the hook)': { run: () => attempt(() => fs.unlinkSync(at('missing'))) },
  'rename: ok': { setup: () => fs.writeFileSync(at('r1'), 'x'), run: () => fs.renameSync(at('r1'), at('r2')) },
  'rename: ENOENT (before the hook)': { run: () => attempt(() => fs.renameSync(at('missing'), at('r3'))) },
  'rename: ENOTEMPTY (after the hook)': {
    setup: () => (fs.mkdirSync(at('e1')), fs.mkdirSync(at('e2')), fs.writeFileSync(at('e2', 'x'), 'x')),
    run: () => attempt(() => fs.renameSync(at('e1'), at('e2'))),
  },
  'link + symlink: ok': { run: () => (fs.linkSync(at('r2'), at('hard')), fs.symlinkSync('r2', at('soft'))) },
  'link: EEXIST (before the hook)': { run: () => attempt(() => fs.linkSync(at('r2'), at('hard'))) },
  'chmod, fchmod': {
    run: () => {
      fs.chmodSync(at('r2'), 0o640);
      const fd = fs.openSync(at('r2'), 'r');
      fs.fchmodSync(fd, 0o600);
      fs.closeSync(fd);
    },
  },
  'chown, fchown, lchown': {
    run: () => {
      fs.chownSync(at('r2'), 0, 0);
      const fd = fs.openSync(at('r2'), 'r');
      fs.fchownSync(fd, 0, -1);
      fs.closeSync(fd);
      fs.lchownSync(at('soft'), -1, 0);
    },
  },
  'chmod: ENOENT (before the hook)': { run: () => attempt(() => fs.chmodSync(at('missing'), 0o600)) },
  'setuid, setgid (every thread)': { run: () => (process.setgid(0), process.setuid(0)) },
  'kill: another process; ESRCH; itself (not an event)': {
    setup: async (ctx) => {
      ctx.child = await settledChild('sleep', ['5']);
    },
    run: (ctx) => {
      process.kill(ctx.child.pid, 'SIGTERM');
      attempt(() => process.kill(2 ** 22 - 3, 0));
      process.kill(process.pid, 0);
      return new Promise((resolve) => ctx.child.on('exit', resolve));
    },
  },
  'ptrace: attach, detach': { run: () => spawnSync('/usr/bin/python3', ['-c', PTRACE_PY]) },
  'mount, umount': {
    setup: () => fs.mkdirSync(at('mnt')),
    run: () => (spawnSync('mount', ['-t', 'tmpfs', 'viv-probe', at('mnt')]), spawnSync('umount', [at('mnt')])),
  },
  'io_uring: libuv file I/O (UV_USE_IO_URING=1)': {
    lsmSeesMore: true,
    run: () =>
      spawnSync(process.execPath, ['-e', `require('fs').promises.readFile(${JSON.stringify(at('r2'))})`], {
        env: { ...process.env, UV_USE_IO_URING: '1' },
      }),
  },
  'truncate(2), through a symlinked directory': {
    setup: () => {
      fs.mkdirSync(at('real'));
      fs.symlinkSync(at('real'), at('link'));
      fs.writeFileSync(at('real', 't'), 'x');
    },
    run: () => evade('truncate', viaLink('t')),
  },
  'utimensat, setxattr, removexattr': { setup: () => fs.writeFileSync(at('u'), 'x'), run: () => ['utimes', 'setxattr', 'removexattr'].forEach((r) => evade(r, at('u'))) },
  'mknod: a FIFO': { run: () => evade('mkfifo', at('fifo2')) },
  'chmod, mkdir, rename, unlink through a symlinked directory': {
    setup: () => fs.writeFileSync(at('real', 'c'), 'x'),
    run: () => {
      fs.chmodSync(viaLink('c'), 0o600);
      fs.mkdirSync(viaLink('sub'));
      fs.renameSync(viaLink('c'), viaLink('sub', 'c2'));
      fs.unlinkSync(viaLink('sub', 'c2'));
    },
  },
  'fchownat(fd, "", AT_EMPTY_PATH)': { run: () => evade('fchownat-empty', at('u')) },
  'send: a UDP datagram with a destination': { run: () => evade('udp', '127.0.0.2', '9') },
  'privileged: bpf, unshare, chroot, reboot (refused), delete_module': {
    run: () => ['bpf', 'unshare', 'chroot', 'reboot', 'delete_module'].forEach((r) => evade(r)),
  },
  'exec: a program from a memfd': { run: () => evade('memfd-exec', fs.realpathSync('/bin/true')) },
  'unobservable: an open by int 0x80 from a 64-bit program': { run: () => evade('int80-open', '/etc/hostname') },
  'dns: queries written on a UDP socket and a TCP stream connected to a resolver': {
    run: () => (evade('dns-write', '127.0.0.1', '53', 'written.vivarium.test'), evade('dns-tcp', '127.0.0.9', '53', 'stream.vivarium.test', 'writev')),
  },
  // Uprobes (attached by vivariumd to the worker's libc): the same programs in both backends.
  'env: process.env read, set, deleted (getenv, setenv, unsetenv)': {
    run: () => {
      void process.env.VIVARIUM_PROBE_VAR;
      process.env.VIVARIUM_PROBE_SET = '1';
      delete process.env.VIVARIUM_PROBE_SET;
    },
  },
  'load: process.dlopen of a shared object (dlopen)': {
    setup: () => fs.copyFileSync(HELPER('libvivtest.so'), at('libprobe.so')),
    run: () => attempt(() => process.dlopen({ exports: {} }, at('libprobe.so'))),
  },
  'list: a directory listed (getdents64)': {
    setup: () => (fs.mkdirSync(at('listed')), fs.writeFileSync(at('listed', 'a'), 'a')),
    run: () => fs.readdirSync(at('listed')),
  },
  'socket: raw, packet, netlink (an ordinary one is no event)': { run: () => spawnSync(HELPER('sockets'), { env: {} }) },
  // TLS writes (uprobes on node's own OpenSSL and the system's libssl): one
  // local server speaking HTTP/1.1 and HTTP/2, with a certificate made here.
  'http: HTTPS (node:https), HTTP/2 (node:http2), curl (libssl); queries never kept': {
    setup: async (ctx) => {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', at('key.pem'), '-out', at('cert.pem'),
      ], { stdio: 'ignore' });
      ctx.cert = fs.readFileSync(at('cert.pem'));
      ctx.server = http2.createSecureServer({ key: fs.readFileSync(at('key.pem')), cert: ctx.cert, allowHTTP1: true }, (req, res) => {
        req.resume();
        req.on('end', () => res.end('ok'));
      });
      await new Promise((resolve) => ctx.server.listen(0, '127.0.0.1', resolve));
    },
    run: async (ctx) => {
      const port = ctx.server.address().port;
      await new Promise((resolve) =>
        https.get({ host: '127.0.0.1', port, path: '/h1/items?token=x', ca: ctx.cert, agent: false }, (res) => res.resume().on('end', resolve)).on('error', resolve),
      );
      const session = http2.connect(`https://127.0.0.1:${port}`, { ca: ctx.cert });
      for (const target of ['/h2/items?page=1', '/h2/items?page=2'])
        await new Promise((resolve) => session.request({ ':path': target }).on('error', resolve).resume().on('end', resolve).end());
      session.close();
      await new Promise((resolve) => execFile('curl', ['-sS', '--http1.1', '--cacert', at('cert.pem'), `https://127.0.0.1:${port}/curl?q=1`], { env: {} }, resolve));
      ctx.server.close();
    },
  },
};

/** glibc reads overcommit_memory once per process, the first time a thread's
 * malloc arena shrinks: in whichever case's window that happens to fall. */
const isMallocProbe = (e) => e.kind === 'file_open' && e.path === '/proc/sys/vm/overcommit_memory' && e.access === 'read' && e.pid === process.pid;

/** Events without what differs between runs: times, pids, fds, the temp dir. */
function normalize(events, ctx) {
  const pids = new Set(events.flatMap((e) => [e.pid, ...(e.kind === 'fork' ? [e.childPid] : [])]));
  if (ctx.child) pids.add(ctx.child.pid);
  return events
    .filter((e) => !isMallocProbe(e))
    .map((e) => {
      const out = {};
      for (const [key, value] of Object.entries(e)) {
        if (key === 'timeNs' || key === 'pid' || key === 'tid' || key === 'epoch') continue;
        out[key] = value;
      }
      if (e.kind === 'file_open' && e.result >= 0) out.result = 'fd';
      if (e.kind === 'connect' || e.kind === 'send') out.fd = 'fd';
      // How HTTP/2 frames share a TLS write depends on timing; the requests do not.
      if (e.kind === 'http') out.result = 'bytes';
      // Datagrams to ephemeral ports (a child's resolver replies): the port differs each run.
      if (e.kind === 'send' && e.endpoint.port >= 32768) out.endpoint = { ...e.endpoint, port: 'ephemeral', text: `${e.endpoint.address}:<ephemeral>` };
      if ('childPid' in out) out.childPid = 'pid';
      if (out.leftover) out.leftover = { ...out.leftover, pid: 'pid' };
      if ('targetPid' in out && pids.has(out.targetPid)) out.targetPid = 'pid';
      let text = JSON.stringify(out)
        .split(dir)
        .join('<dir>')
        .replace(/\/proc\/\d+\//g, '/proc/<pid>/')
        .replace(/<dir>\/#\d+/g, '<dir>/#<inode>');
      if (ctx.server) text = text.split(String(ctx.server.address()?.port ?? ctx.port)).join('<port>');
      return text;
    })
    .sort();
}

let diagnosed;
/** What vivariumd holds for this process when its registration stopped working: its slot's owner and the entries of its pid or slot. */
function diagnose() {
  try {
    const worker = Session.get().requireWorker();
    const daemon = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../packages/daemon/bin/vivariumd.js');
    const status = JSON.parse(execFileSync(process.execPath, [daemon, 'status', '--json', '--pin-dir', process.env.VIVARIUM_BPF_PIN_DIR], { encoding: 'utf8' }));
    return {
      pid: process.pid,
      slot: worker.slot,
      slots: status.slots.filter((s) => s.owner).map((s) => ({ slot: s.slot, owner: s.owner.pid })),
      targets: status.targets.filter((t) => t.pid === process.pid || t.slot === worker.slot),
    };
  } catch (err) {
    return { failed: err.message };
  }
}

async function main() {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : null;
  // A resolver on 127.0.0.1:53 that answers NXDOMAIN to everything.
  const server = dgram.createSocket('udp4');
  server.on('message', (query, peer) => {
    const answer = Buffer.from(query);
    answer[2] |= 0x80;
    answer[3] = (answer[3] & 0xf0) | 3;
    server.send(answer, peer.port, peer.address);
  });
  await new Promise((resolve) => server.bind(53, '127.0.0.1', resolve));

  const results = {};
  for (const [name, c] of Object.entries(cases)) {
    if (only && !only.some((o) => name.includes(o))) continue;
    const ctx = {};
    await c.setup?.(ctx);
    if (ctx.server) ctx.port = ctx.server.address().port;
    const seen = await observe(() => c.run(ctx));
    // Environment reads come from the same uprobes on both backends, and a
    // child's first getenv may name a page not in memory yet (its name then
    // unreadable, by chance): compared only where they are the case.
    // The probe's own resolver answers from this process, on its own time:
    // a late reply to an earlier case's query is no case's event.
    const ownReply = (e) => e.kind === 'send' && !e.child && e.endpoint.address === '127.0.0.1' && e.endpoint.port >= 32768;
    const events = (name.startsWith('env') ? seen.events : seen.events.filter((e) => e.kind !== 'env')).filter((e) => !ownReply(e));
    // A window that could not see (its registration removed or rewritten, a
    // child not followed, a kind unavailable) must say so, not read as empty.
    const { tampered, unfollowed, unavailable } = seen.gaps;
    const blind = { ...(tampered ? { tampered } : {}), ...(unfollowed ? { unfollowed } : {}), ...(unavailable && Object.keys(unavailable).length ? { unavailable } : {}) };
    if (tampered && !diagnosed) blind.daemonSays = (diagnosed = diagnose());
    results[name] = { lsmSeesMore: Boolean(c.lsmSeesMore), dropped: seen.dropped, ...(Object.keys(blind).length ? { blind } : {}), events: normalize(events, ctx) };
  }
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  // A pipe is written asynchronously: exit once all of it is out.
  await new Promise((resolve) => process.stdout.write(`${JSON.stringify(results, null, 1)}\n`, resolve));
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`probe: ${err.stack}\n`);
    process.exit(1);
  },
);
