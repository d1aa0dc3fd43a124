// Unprivileged workers: vivariumd --group NAME lets the group's members
// register without root; everyone else gets a PinPermissionError naming the
// group. Creates a group and two users, and removes them afterwards.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { skipKernelTests } from '../helpers/kernel.js';
import { VIVARIUMD } from '../helpers/daemon.js';
import { type Daemon, pinDirFor, startDaemon, wipe } from './lib/daemon.js';
import { FIXTURES, WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('group');
const GROUP = 'vivrel-workers';
const MEMBER = 'vivrel-member';
const OUTSIDER = 'vivrel-outsider';
const skip = skipKernelTests();

function removeAccounts(): void {
  for (const user of [MEMBER, OUTSIDER]) spawnSync('userdel', [user], { stdio: 'ignore' });
  spawnSync('groupdel', [GROUP], { stdio: 'ignore' });
}

/** Runs a command as `user` (its own groups), returning stdout. */
function runAs(user: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const gid = execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim();
  const r = spawnSync('setpriv', [`--reuid=${user}`, `--regid=${gid}`, '--init-groups', ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(skip)('vivariumd --group', () => {
  let daemon: Daemon;
  let gid: number;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    removeAccounts(); // leftovers of an interrupted run
    execFileSync('groupadd', [GROUP]);
    execFileSync('useradd', ['--no-create-home', '--no-user-group', '--shell', '/usr/sbin/nologin', '--groups', GROUP, MEMBER]);
    execFileSync('useradd', ['--no-create-home', '--no-user-group', '--shell', '/usr/sbin/nologin', OUTSIDER]);
    gid = Number(execFileSync('getent', ['group', GROUP], { encoding: 'utf8' }).split(':')[2]);
    await wipe(PIN_DIR);
    daemon = await startDaemon(PIN_DIR, ['--rings', '4', '--ring-size', String(1 << 20), '--group', GROUP]);
  });

  afterAll(async () => {
    for (const w of workers) await w.kill();
    await daemon?.kill();
    await wipe(PIN_DIR);
    removeAccounts();
  });

  test('the daemon says who may register', () => {
    expect(daemon.output()).toContain(`access: members of group ${GROUP} (gid ${gid}) may register workers`);
  });

  test('pins a worker opens are root:group 0660, dirs 0750; the rings map and links stay 0600', () => {
    const mode = (path: string) => {
      const st = statSync(path);
      return `${st.uid}:${st.gid} ${(st.mode & 0o777).toString(8)}`;
    };
    const expected: Record<string, string> = {};
    const actual: Record<string, string> = {};
    for (const name of readdirSync(PIN_DIR)) {
      actual[name] = mode(join(PIN_DIR, name));
      expected[name] = `0:${gid} ${name === 'links' ? '750' : name === 'rings' ? '600' : '660'}`;
    }
    for (const name of readdirSync(join(PIN_DIR, 'links'))) {
      actual[`links/${name}`] = mode(join(PIN_DIR, 'links', name));
      expected[`links/${name}`] = `0:${gid} 600`;
    }
    actual['.'] = mode(PIN_DIR);
    expected['.'] = `0:${gid} 750`;
    expect(Object.keys(actual)).toEqual(expect.arrayContaining(['meta', 'config_targets', 'ring_owner', 'stats', 'rings', 'ring_0', 'ring_3']));
    expect(actual).toEqual(expected);
  });

  test('a member of the group registers without root and sees its own events', async () => {
    const started = await WorkerProcess.start(PIN_DIR, { user: MEMBER });
    workers.push(started.worker);
    expect(started.hello, started.hello.message).toMatchObject({ registered: true });
    expect(started.hello.uid).not.toBe(0);
    await started.worker.drain();
    await started.worker.send({ cmd: 'open', path: '/etc/hostname', times: 2 });
    const drained = await started.worker.drain();
    expect(drained.events.filter((e) => e.kind === 'file_open' && e.path === '/etc/hostname')).toHaveLength(2);
    expect(drained.dropped).toBe(0);
    await started.worker.send({ cmd: 'exit' });

    const statusAsMember = runAs(MEMBER, [process.execPath, VIVARIUMD, 'status', '--pin-dir', PIN_DIR]);
    expect(statusAsMember.stdout).toContain(`access:   root and group ${GROUP}`);
  });

  test('a user outside the group gets a PinPermissionError naming the group and the fix', async () => {
    const started = await WorkerProcess.start(PIN_DIR, { user: OUTSIDER });
    workers.push(started.worker);
    expect(started.hello).toMatchObject({ registered: false, error: 'PinPermissionError' });
    expect(started.hello.message).toBe(
      `vivarium: cannot open ${PIN_DIR}/meta: EACCES (vivariumd shares ${PIN_DIR} with group ${GROUP} only: sudo usermod -aG ${GROUP} ${OUTSIDER}, then log in again)`,
    );
  });

  test('the trust model: a member may open any slot’s ring, but not the rings map, the links, or create maps', () => {
    const probe = runAs(MEMBER, [process.execPath, `${FIXTURES}probe-access.mjs`, PIN_DIR, 'ring_3', 'config_targets', 'rings', 'links/viv_exit']);
    const result = JSON.parse(probe.stdout) as Record<string, string>;
    const unprivilegedBpf = Number(execFileSync('sysctl', ['-n', 'kernel.unprivileged_bpf_disabled'], { encoding: 'utf8' }));
    expect(result).toEqual({
      ring_3: 'ok', // another worker's ring: members can read each other's events (README, Reliability)
      config_targets: 'ok', // and can add any pid of the host to their own slot
      rings: 'EACCES',
      'links/viv_exit': 'EACCES',
      mapCreate: unprivilegedBpf === 0 ? 'ok' : 'EPERM',
    });
  });

  test('a restart without --group revokes the grant (and adopts the pins)', async () => {
    await daemon.kill('SIGKILL');
    daemon = await startDaemon(PIN_DIR, ['--rings', '4', '--ring-size', String(1 << 20)]);
    expect(daemon.output()).toContain('adopted the pins');
    expect(daemon.output()).toContain('access: root only');
    const started = await WorkerProcess.start(PIN_DIR, { user: MEMBER });
    workers.push(started.worker);
    expect(started.hello).toMatchObject({ registered: false, error: 'PinPermissionError' });
    expect(started.hello.message).toContain(`${PIN_DIR} is root's only: run as root, or start vivariumd --group <group>`);
  });
});
