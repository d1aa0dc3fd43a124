// Routes around a sandbox check, each taken by real code inside a test: the
// natural check must fail, naming the real subject (or why it could not be
// seen). A check that cannot see must fail, not pass. The routes the kernel
// half takes are in test/e2e/evasion/evade.c, built by the e2e setup.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { observe } = require('./lib/adapter.cjs');
const { i386OpenAndExit } = require('./lib/elf32.cjs');
const { freshDir } = require('./lib/tmp.cjs');

const evade = process.env.VIVARIUM_EVADE;
const backend = process.env.VIVARIUM_E2E_BACKEND;
const run = (...args) => execFileSync(evade, args, { encoding: 'utf8' });

// A project, somewhere else, and a directory of the project that leads there.
const project = freshDir('project');
const outside = freshDir('outside');
const dirlink = path.join(project, 'data', 'dirlink');
fs.mkdirSync(path.dirname(dirlink));
fs.symlinkSync(outside, dirlink);
const victim = path.join(outside, 'victim.txt');
fs.writeFileSync(victim, 'x');
const inProject = [`${project}/**`];

describe('file changes without an open', () => {
  test.each([
    ['truncate', 'truncate'],
    ['utimes', 'utime'],
    ['setxattr', 'xattr'],
    ['removexattr', 'xattr'],
  ])('FAILS[-outside-;/victim.txt]: %s of a file outside is a write outside', (route) => {
    expect(() => run(route, victim)).not.toWriteOutside(inProject);
  });

  test('FAILS[mknod;-outside-;/fifo]: a FIFO made outside is a write outside', () => {
    expect(() => run('mkfifo', path.join(outside, 'fifo'))).not.toWriteOutside(inProject);
  });

  // Refused to a user without CAP_MKNOD: the attempt is judged all the same.
  test('FAILS[mknod;-outside-;/null-dev]: a device node made outside is a write outside', () => {
    expect(() => run('mknod-dev', path.join(outside, 'null-dev'))).not.toWriteOutside(inProject);
  });

  test('each is seen as its own kind, at its path', () => {
    fs.writeFileSync(path.join(project, 'own.txt'), 'x');
    const file = path.join(project, 'own.txt');
    expect(() => run('truncate', file)).toWriteFiles(file);
    expect(() => run('utimes', file)).toTrigger('utime', file);
    expect(() => run('setxattr', file)).toTrigger('xattr', file);
    expect(() => run('mkfifo', path.join(project, 'fifo'))).toTrigger('mknod', `${project}/fifo`);
  });
});

describe('non-open operations through a symlinked directory are judged where the kernel acted', () => {
  test('FAILS[chmod;-outside-;/victim.txt]: chmod', () => {
    expect(() => fs.chmodSync(path.join(dirlink, 'victim.txt'), 0o600)).not.toWriteOutside(inProject);
  });

  test('FAILS[mkdir;-outside-;/sub]: mkdir', () => {
    expect(() => fs.mkdirSync(path.join(dirlink, 'sub'))).not.toWriteOutside(inProject);
  });

  test('FAILS[rename;-outside-;/renamed.txt]: rename into the link', () => {
    fs.writeFileSync(path.join(project, 'moved.txt'), 'x');
    expect(() => fs.renameSync(path.join(project, 'moved.txt'), path.join(dirlink, 'renamed.txt'))).not.toWriteOutside(inProject);
  });

  test('FAILS[link;-outside-;/hard.txt]: link', () => {
    expect(() => fs.linkSync(path.join(dirlink, 'victim.txt'), path.join(dirlink, 'hard.txt'))).not.toWriteOutside(inProject);
  });

  test('FAILS[symlink;-outside-;/sym]: symlink', () => {
    expect(() => fs.symlinkSync('/etc/passwd', path.join(dirlink, 'sym'))).not.toWriteOutside(inProject);
  });

  test('FAILS[unlink;-outside-;/renamed.txt]: unlink', () => {
    expect(() => fs.unlinkSync(path.join(dirlink, 'renamed.txt'))).not.toWriteOutside(inProject);
  });

  test('FAILS[truncate;-outside-;/victim.txt]: truncate(2)', () => {
    expect(() => run('truncate', path.join(dirlink, 'victim.txt'))).not.toWriteOutside(inProject);
  });

  test('FAILS[xattr;-outside-;/victim.txt]: setxattr', () => {
    expect(() => run('setxattr', path.join(dirlink, 'victim.txt'))).not.toWriteOutside(inProject);
  });

  test('FAILS[chown;-outside-;/victim.txt]: an fd-based call carries the fd\'s file', () => {
    expect(() => run('fchownat-empty', path.join(dirlink, 'victim.txt'))).not.toWriteOutside(inProject);
  });

  test('FAILS[chown;-outside-;/victim.txt]: chown by path', () => {
    expect(() => fs.chownSync(path.join(dirlink, 'victim.txt'), process.getuid(), process.getgid())).not.toWriteOutside(inProject);
  });

  test('FAILS[rename;-outside-;/leaving.txt]: rename out of the link: its old path', () => {
    fs.writeFileSync(path.join(outside, 'leaving.txt'), 'x');
    expect(() => fs.renameSync(path.join(dirlink, 'leaving.txt'), path.join(project, 'arrived.txt'))).not.toWriteOutside(inProject);
  });

  test.each([
    ['lsetxattr', 'xattr'],
    ['fsetxattr', 'xattr'],
    ['futimesat', 'utime'],
  ])('FAILS[-outside-;/victim.txt]: %s', (route) => {
    expect(() => run(route, path.join(dirlink, 'victim.txt'))).not.toWriteOutside(inProject);
  });

  test('FAILS[mknod;-outside-;/regular]: mknod of a regular file', () => {
    expect(() => run('mknod-file', path.join(dirlink, 'regular'))).not.toWriteOutside(inProject);
  });

  // The fd is opened before the check, for reading or writing: only the call on it is judged.
  describe.each([
    ['ftruncate', 'truncate', 'r+', (fd) => fs.ftruncateSync(fd, 1)],
    ['futimens', 'utime', 'r', (fd) => fs.futimesSync(fd, new Date(), new Date())],
    ['fchmod', 'chmod', 'r', (fd) => fs.fchmodSync(fd, 0o644)],
    ['fchown', 'chown', 'r', (fd) => fs.fchownSync(fd, process.getuid(), process.getgid())],
  ])('%s', (call, kind, flags, act) => {
    test(`FAILS[${kind};-outside-;/victim.txt]: carries the fd's file`, () => {
      const fd = fs.openSync(path.join(dirlink, 'victim.txt'), flags);
      try {
        expect(() => act(fd)).not.toWriteOutside(inProject);
      } finally {
        fs.closeSync(fd);
      }
    });
  });

  test('inside stays inside: the real paths are in the project', () => {
    const real = path.join(project, 'real');
    fs.mkdirSync(real);
    fs.symlinkSync(real, path.join(project, 'inner-link'));
    expect(() => {
      fs.mkdirSync(path.join(project, 'inner-link', 'made'));
      fs.rmdirSync(path.join(project, 'inner-link', 'made'));
    }).not.toWriteOutside(inProject);
    expect(() => fs.mkdirSync(path.join(project, 'inner-link', 'again'))).toTrigger('mkdir', `${real}/again`);
  });

  // A busy directory (/tmp on a CI machine) lists its old entries last:
  // thousands of newer ones, positive and negative, come first.
  const busy = path.join(project, 'busy');
  fs.mkdirSync(busy);
  fs.symlinkSync(outside, path.join(busy, 'old-link'));
  fs.mkdirSync(path.join(busy, 'old-dir'));
  for (let i = 0; i < 10000; i++) fs.writeFileSync(path.join(busy, `f${i}`), '');
  for (let i = 0; i < 10000; i += 2) fs.unlinkSync(path.join(busy, `f${i}`));

  test('FAILS[mkdir;-outside-;/busy-sub]: through a link far down a busy directory', () => {
    expect(() => fs.mkdirSync(path.join(busy, 'old-link', 'busy-sub'))).not.toWriteOutside(inProject);
  });

  test('an old entry of a busy directory is found every time, where it is', () => {
    // An entry not found would be unresolved: a write nothing allows.
    for (const name of ['a', 'b', 'c']) expect(() => fs.mkdirSync(path.join(busy, 'old-dir', name))).not.toWriteOutside([`${busy}/old-dir/*`]);
    expect(() => fs.rmdirSync(path.join(busy, 'old-link', 'busy-sub'))).toTrigger('rmdir', `${outside}/busy-sub`);
  });
});

describe('a link changed while a call acts through it', () => {
  // The call's directory is walked again at its exit: a link removed in
  // between leaves nothing to follow there. What succeeded through it must
  // never be placed at the link's own spelling, inside the project; it is
  // unresolved (judged as unobservable). 5000 rounds hit the window hundreds
  // of times on a 2-core machine.
  test('a chmod through a symlink that another thread removes and puts back', () => {
    const racy = path.join(project, 'racy');
    fs.symlinkSync(outside, racy);
    const seen = observe(() => run('chmod-race', racy, outside, 'victim.txt', '5000'));
    const done = seen.events.filter((e) => e.kind === 'chmod' && e.result === 0);
    expect(done.length).toBeGreaterThan(0);
    const placedInside = done.filter((e) => e.path.startsWith(`${project}/`) && !e.unresolved);
    expect(placedInside.map((e) => e.path)).toEqual([]);
  });
});

describe('a 32-bit program', () => {
  // Its int 0x80 system calls have i386 numbers, which the x86-64 table does
  // not describe: the program is reported at its exec, then not followed.
  test('FAILS[a 32-bit program;execve]: its system calls are not decoded, so every check it could hide from fails', () => {
    const program = i386OpenAndExit(path.join(project, 'open32'), '/etc/hostname');
    // /dev/null: the child's stdio, opened before the exec.
    expect(() => execFileSync(program)).not.toOpenOutside([...inProject, '/dev/null']);
  });
});

describe('an i386 system call from a 64-bit program', () => {
  // int 0x80 works from any program: its number (5: open) means another call
  // in the x86-64 table (fstat), so it must not be decoded by it.
  test('FAILS[i386 syscall 5;int 0x80]: an open by int 0x80 fails every check it could hide from', () => {
    expect(() => run('int80-open', '/etc/hostname')).not.toOpenOutside(inProject);
  });
});

describe('network without connect', () => {
  test('FAILS[send 127.0.0.2:9]: a UDP datagram with a destination', () => {
    expect(() => run('udp', '127.0.0.2', '9')).not.toConnectOutside(['127.0.0.1:*']);
  });

  test('FAILS[send 127.0.0.3:9]: TCP fast open', () => {
    expect(() => run('tfo', '127.0.0.3', '9')).not.toConnectOutside(['127.0.0.1:*']);
  });

  test('a datagram is seen where it went', () => {
    expect(() => run('udp', '127.0.0.1', '9')).toConnectTo(['127.0.0.1:9']);
  });

  // One event stands for a sendmmsg whose messages are alike; one whose
  // messages differ fails closed: its first message must not vouch for the rest.
  test('FAILS[sendmmsg;different destinations]: sendmmsg to an allowed place, then to another', () => {
    expect(() => run('sendmmsg-udp', '127.0.0.1', '9', '127.0.0.2', '9')).not.toConnectOutside(['127.0.0.1:*']);
  });

  test('sendmmsg to one place twice is that place', () => {
    expect(() => run('sendmmsg-udp', '127.0.0.1', '9', '127.0.0.1', '9')).not.toConnectOutside(['127.0.0.1:*']);
    expect(() => run('sendmmsg-udp', '127.0.0.1', '9', '127.0.0.1', '9')).toConnectTo(['127.0.0.1:9']);
  });

  test('FAILS[sendmmsg;ask different names]: a resolver\'s sendmmsg asking an allowed name, then another', () => {
    expect(() => run('sendmmsg-dns', '127.0.0.1', '53', 'service.vivarium.test', 'tracker.example.invalid')).not.toResolveOutside(['**.vivarium.test']);
  });

  // What the first message's question is compared with must be what the
  // others send: their whole question, count included.
  test.each(['split', 'two-questions'])('FAILS[sendmmsg;ask different names]: a sendmmsg whose second query asks another name behind an alike start (%s)', (how) => {
    expect(() => run('sendmmsg-dns', '127.0.0.1', '53', 'service.vivarium.test', 'tracker.example.invalid', how)).not.toResolveOutside(['**.vivarium.test']);
  });

  test('a resolver\'s sendmmsg asking one name twice (A and AAAA, as glibc does) is that name', () => {
    const query = () => run('sendmmsg-dns', '127.0.0.1', '53', 'service.vivarium.test', 'service.vivarium.test');
    expect(query).toResolve(['service.vivarium.test']);
    expect(query).not.toResolveOutside(['**.vivarium.test']);
  });
});

describe('DNS queries written, not sent', () => {
  // A resolver socket is any socket connected to a DNS port: what is written
  // on it asks a name just as a send does.
  const port = process.env.VIVARIUM_E2E_DNS_PORT ?? '53';

  test('FAILS[tracker.example.invalid]: write on a UDP socket connected to a resolver', () => {
    expect(() => run('dns-write', '127.0.0.1', port, 'tracker.example.invalid')).not.toResolveOutside(['**.vivarium.test']);
  });

  // The length first in the same buffer, in a buffer of its own, in a write
  // of its own; by a sendmsg naming an address the connected stream ignores.
  test.each(['whole', 'writev', 'split', 'named'])('FAILS[tracker.example.invalid]: on a TCP stream to a resolver (%s)', (how) => {
    expect(() => run('dns-tcp', '127.0.0.9', port, 'tracker.example.invalid', how)).not.toResolveOutside(['**.vivarium.test']);
  });

  test('FAILS[unobservable sendto;does not read the queries]: a query sent with MSG_ZEROCOPY, whose pages go out after the call', () => {
    expect(() => run('dns-write', '127.0.0.1', port, 'svc.vivarium.test', 'zerocopy')).not.toResolveOutside(['**.vivarium.test']);
  });

  test('FAILS[tracker.example.invalid]: pwritev2 on a UDP socket connected to a resolver', () => {
    expect(() => run('dns-write', '127.0.0.1', port, 'tracker.example.invalid', 'pwritev2')).not.toResolveOutside(['**.vivarium.test']);
  });

  // A stream is framed as the resolver reads it, not write by write: the
  // length written alone, then a query whose ID reads as its length less
  // two, would ask the allowed name hidden two bytes into it.
  test('FAILS[tracker.example.invalid]: on a TCP stream, a query disguised as one for an allowed name', () => {
    expect(() => run('dns-tcp', '127.0.0.9', port, 'tracker.example.invalid', 'disguised', 'svc.vivarium.test')).not.toResolveOutside(['**.vivarium.test']);
  });

  test('FAILS[tracker.example.invalid]: on a TCP stream, after a query for an allowed name in the same write', () => {
    expect(() => run('dns-tcp', '127.0.0.9', port, 'tracker.example.invalid', 'pipelined', 'svc.vivarium.test')).not.toResolveOutside(['**.vivarium.test']);
  });

  // Bytes no decoder reads, to a DNS port: every check fails.
  test.each([
    ['splice', 'splice'],
    ['sendfile', 'sendfile'],
    ['sendto', 'fastopen'],
  ])('FAILS[unobservable %s;does not read the queries]: a query on a TCP stream sent by %s', (call, how) => {
    expect(() => run('dns-tcp', '127.0.0.9', port, 'svc.vivarium.test', how)).not.toResolveOutside(['**.vivarium.test']);
  });

  // A call refused before it ran (here by a seccomp filter) sent nothing:
  // no check fails for bytes that never left, nor is any name asked.
  test('a query by TCP fast open refused before the call ran (EPERM) asks nothing', () => {
    expect(() => {
      expect(run('tfo-refused', '127.0.0.9', port, 'tracker.example.invalid')).toContain('Operation not permitted');
    }).not.toResolveOutside(['**.vivarium.test']);
  });

  test('FAILS[tracker.example.invalid]: a query scattered over buffers', () => {
    expect(() => run('dns-write', '127.0.0.1', port, 'tracker.example.invalid', 'scattered')).not.toResolveOutside(['**.vivarium.test']);
  });

  // A resolver answers one question (RFC 9619); a second must not ride on an allowed first.
  test('FAILS[(unparsed)]: one query of two questions, the first allowed', () => {
    expect(() => run('dns-write', '127.0.0.1', port, 'tracker.example.invalid', 'two-questions', 'svc.vivarium.test')).not.toResolveOutside(['**.vivarium.test']);
  });

  // With no buffer (msg_iovlen 0) an empty datagram leaves, whatever msg_iov points at.
  test('a sendmsg of no buffer to a resolver asks no name', () => {
    const seen = observe(() => run('dns-write', '127.0.0.1', port, 'unsent.vivarium.test', 'iovlen0'));
    expect(seen.events.filter((e) => e.kind === 'dns').map((e) => [e.name, e.server.text])).toEqual([['', `127.0.0.1:${port}`]]);
  });

  test('each asks its name, where it went', () => {
    expect(() => run('dns-write', '127.0.0.1', port, 'written.vivarium.test')).toResolve(['written.vivarium.test']);
    expect(() => run('dns-write', '127.0.0.1', port, 'pwritev2.vivarium.test', 'pwritev2')).toResolve(['pwritev2.vivarium.test']);
    expect(() => run('dns-write', '127.0.0.1', port, 'scattered.vivarium.test', 'scattered')).toResolve(['scattered.vivarium.test']);
    for (const how of ['whole', 'writev', 'split', 'named']) {
      const seen = observe(() => run('dns-tcp', '127.0.0.9', port, `${how}.vivarium.test`, how));
      expect(seen.events.filter((e) => e.kind === 'dns').map((e) => [e.name, e.server.text])).toEqual([[`${how}.vivarium.test`, `127.0.0.9:${port}`]]);
    }
    const pipelined = observe(() => run('dns-tcp', '127.0.0.9', port, 'second.vivarium.test', 'pipelined', 'first.vivarium.test'));
    expect(pipelined.events.filter((e) => e.kind === 'dns').map((e) => e.name)).toEqual(['first.vivarium.test', 'second.vivarium.test']);
  });
});

describe('a destination rewritten by another thread during the call', () => {
  // The syscalls backend reads arguments at sys_exit, after the kernel
  // copied them: a connect is judged by where its socket really went.
  test('each connect is reported where the kernel connected it', () => {
    const seen = observe(() => run('connect-race', '127.0.0.1', '127.0.0.2', '2000'));
    const went = seen.result.trim().split('\n');
    expect(went.filter((a) => a === '127.0.0.2').length).toBeGreaterThan(0);
    const own = seen.events.filter((e) => e.kind === 'connect' && e.result === 0 && e.pid !== process.pid);
    expect(own.map((e) => e.endpoint.address)).toEqual(went);
  });

  // A path argument: the lsm backend takes where the kernel acts from its
  // hook; the syscalls backend reads the path again at sys_exit, after the
  // kernel did, and a rewrite in between goes unseen there (README: what
  // each backend sees): each mkdir is reported, in one of the two places.
  test('each mkdir is reported, where the kernel made it on lsm', () => {
    const dir = freshDir('mkdir-race');
    fs.mkdirSync(path.join(dir, 'a'));
    fs.mkdirSync(path.join(dir, 'b'));
    const seen = observe(() => run('mkdir-race', path.join(dir, 'a'), path.join(dir, 'b'), '3000'));
    const made = seen.result.trim().split('\n');
    expect(made.filter((p) => p.endsWith('/b/x')).length).toBeGreaterThan(0);
    const own = seen.events.filter((e) => e.kind === 'mkdir' && e.result === 0).map((e) => e.path);
    if (backend === 'lsm') expect(own).toEqual(made);
    else expect(own.map((p) => (made.includes(p) ? 'a or b' : p))).toEqual(made.map(() => 'a or b'));
  });
});

describe('privileged acts', () => {
  test.each([
    ['bpf', 'bpf'],
    ['unshare', 'unshare'],
    ['chroot', 'chroot'],
    ['reboot', 'reboot'],
    ['delete_module', 'module'],
  ])('FAILS[Expected no;event]: %s is a privileged act (%s)', (route, kind) => {
    expect(() => run(route)).not.toTrigger(kind);
  });

  // Refused, or changing nothing but the helper itself: the attempt is the act.
  test.each([
    ['setgroups', 'setgroups'],
    ['capset', 'capset'],
    ['setns', 'setns'],
    ['pivot_root', 'pivot_root'],
    ['init_module', 'module'],
    ['finit_module', 'module'],
    ['process_vm_readv', 'process_vm'],
    ['process_vm_writev', 'process_vm'],
    ['perf_event_open', 'perf_event'],
    ['kexec_load', 'kexec'],
    ['kexec_file_load', 'kexec'],
    ['pidfd_getfd', 'pidfd_getfd'],
    ['fsopen', 'mount'],
    ['fsconfig', 'mount'],
    ['fsmount', 'mount'],
    ['open_tree', 'mount'],
    ['move_mount', 'mount'],
    ['mount_setattr', 'mount'],
  ])('FAILS[Expected no;event]: %s is a privileged act (%s)', (call, kind) => {
    expect(() => run('privileged', call)).not.toTrigger(kind);
  });
});

describe('a file opened by its handle', () => {
  // open_by_handle_at needs CAP_DAC_READ_SEARCH; the mount fd is the
  // project's own directory, so only the handle's file is outside.
  const asRoot = process.getuid() === 0 ? test : test.skip;
  // A file of its own: the kernel names an inode by any of its links (victim.txt has a hard link).
  asRoot('FAILS[-outside-;/handled.txt]: open_by_handle_at is judged by the file it opened', () => {
    const handled = path.join(outside, 'handled.txt');
    fs.writeFileSync(handled, 'x');
    expect(() => run('by-handle', handled, project)).not.toOpenOutside(inProject);
  });
});

describe("a uprobe's breakpoint written over from plain JavaScript", () => {
  // /proc/self/mem writes through the pages' protection: an fs.writeSync at
  // getenv's address puts back the instruction the breakpoint replaced, and
  // the process's later getenv calls go unseen (lib/unprobe.mjs). The kernel
  // sees the open: from then on the kinds fed by uprobes cannot be checked.
  const secret = 'VIVARIUM_EVASION_SECRET';
  const reader = (how) => () => {
    const out = execFileSync(process.execPath, [path.join(__dirname, 'lib', 'unprobe.mjs'), how, secret], { encoding: 'utf8', env: { PATH: process.env.PATH, [secret]: '1' } });
    // The breakpoint was there to remove (uprobes attached, getenv found).
    expect(out.trim()).toBe('cc');
  };

  test('a child reading the variable is seen reading it', () => {
    expect(reader('keep')).toReadEnv([secret]);
  });

  test('FAILS[env events are unavailable;opened /proc/;/mem for writing;breakpoints]: a read after the breakpoint was put back', () => {
    expect(reader('remove')).not.toReadEnv([secret]);
  });

  // A tracer writes through the pages' protection too: evade's child stops
  // for it, and it puts getenv's first byte back with PTRACE_POKETEXT.
  test('FAILS[env events are unavailable;with ptrace (PTRACE_POKETEXT);breakpoints]: a child whose getenv its parent put back with ptrace', () => {
    expect(() => {
      const out = execFileSync(evade, ['poke', secret], { encoding: 'utf8', env: { PATH: process.env.PATH, [secret]: '1' } });
      expect(out.trim()).toBe('cc');
    }).not.toReadEnv([secret]);
  });

  test('the next window, once that child is gone, is checked as before', () => {
    expect(reader('keep')).toReadEnv([secret]);
  });
});

describe('an anonymous program', () => {
  test('FAILS[memfd:payload]: a program run from a memfd is judged by its name, never "/"', () => {
    const program = fs.realpathSync(spawnSync('sh', ['-c', 'command -v env'], { encoding: 'utf8' }).stdout.trim());
    expect(() => run('memfd-exec', program)).not.toExecOutside(['/usr/**', '/bin/**']);
  });
});

if (backend === 'lsm')
  describe('io_uring, which the lsm backend sees', () => {
    // The kernel sends from the ring: the hook reads the kernel's copy of the buffers.
    const port = process.env.VIVARIUM_E2E_DNS_PORT ?? '53';

    test.each(['io_uring', 'io_uring-scattered'])('FAILS[tracker.example.invalid]: a query sent by %s', (how) => {
      expect(() => run('dns-write', '127.0.0.1', port, 'tracker.example.invalid', how)).not.toResolveOutside(['**.vivarium.test']);
    });

    test.each(['io_uring', 'io_uring-scattered'])('a query sent by %s asks its name', (how) => {
      const seen = observe(() => run('dns-write', '127.0.0.1', port, `${how}.vivarium.test`, how));
      expect(seen.events.filter((e) => e.kind === 'dns').map((e) => [e.name, e.server.text])).toEqual([[`${how}.vivarium.test`, `127.0.0.1:${port}`]]);
    });
  });

if (backend === 'syscalls')
  describe('what the syscalls backend cannot see', () => {
    test('FAILS[unobservable io_uring_setup;--backend lsm]: io_uring fails every check it could hide from', () => {
      expect(() => run('io_uring')).not.toOpenOutside(['/**']);
    });
  });

describe('mounts and namespaces: a file is judged where it is, as the worker sees it', () => {
  const hostname = '/etc/hostname';
  const inProjectOnly = [`${project}/**`, '/usr/**', '/lib/**', '/lib64/**', '/etc/ld.so.cache', '/proc/**', '/dev/null', '/etc/locale.alias'];

  test('FAILS[/etc/hostname;[child]: read through a bind of /etc made by a child in its own user and mount namespace', () => {
    const x = path.join(project, 'x');
    fs.mkdirSync(x);
    expect(() =>
      execFileSync('unshare', ['-Urm', 'sh', '-c', `mount --bind /etc '${x}' && cat '${x}/hostname' > /dev/null`]),
    ).not.toOpenOutside(inProjectOnly);
  });

  // Binds in the worker's own mount namespace need root (the child's above do not).
  const asRoot = process.getuid() === 0 ? test : test.skip;

  asRoot('FAILS[/etc/hostname]: read through a bind of /etc in the worker\'s own namespace', () => {
    const y = path.join(project, 'y');
    fs.mkdirSync(y);
    execFileSync('mount', ['--bind', '/etc', y]);
    try {
      expect(() => fs.readFileSync(path.join(y, 'hostname'))).not.toOpenOutside([`${project}/**`]);
    } finally {
      execFileSync('umount', [y]);
    }
  });

  asRoot('a relative path in a bind-mounted directory: where it led and as requested, both placed', () => {
    const z = path.join(project, 'z');
    fs.mkdirSync(z);
    execFileSync('mount', ['--bind', '/etc', z]);
    const before = process.cwd();
    try {
      process.chdir(z);
      const seen = observe(() => fs.readFileSync('hostname'));
      const read = seen.events.find((e) => e.kind === 'file_open' && e.requested === 'hostname');
      expect([read.path, read.requestedPath, read.unresolved]).toEqual([hostname, hostname, false]);
    } finally {
      process.chdir(before);
      execFileSync('umount', [z]);
    }
  });

  test('FAILS[Expected no unshare event]: a new namespace is a privileged act', () => {
    expect(() => execFileSync('unshare', ['-Urm', 'true'])).not.toTrigger('unshare');
  });

  test('the project, seen from another mount namespace, is still the project', () => {
    const file = path.join(project, 'seen-from-afar.txt');
    fs.writeFileSync(file, 'x');
    expect(() => execFileSync('unshare', ['-Urm', 'cat', file])).toReadFiles(file);
  });
});
