// Unprivileged workers: vivariumd --group NAME lets the group's members
// register through its socket without root; everyone else is refused with
// an AccessDeniedError naming --group; the pins stay root's only either way;
// a restart without --group takes the grant back. Creates a group and two
// users, and removes them afterwards. (What members still cannot do:
// attacks.test.ts.)
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VIVARIUMD } from '../helpers/daemon.js';
import { skipKernelTests } from '../helpers/kernel.js';
import { type Accounts, createAccounts, runAs } from '../helpers/accounts.js';
import { type Daemon, pinDirFor, socketOf, startDaemon, status, wipe } from './lib/daemon.js';
import { WorkerProcess } from './lib/worker.js';

const PIN_DIR = pinDirFor('group');
const SOCKET = socketOf(PIN_DIR);
const MEMBER = 'vivrel-member';
const OUTSIDER = 'vivrel-outsider';
const ARGS = ['--rings', '4', '--ring-size', String(1 << 20)];
const skip = skipKernelTests();

/** uid:gid and mode of `path`. */
const ownerMode = (path: string) => {
  const st = statSync(path);
  return `${st.uid}:${st.gid} ${(st.mode & 0o777).toString(8)}`;
};

/** Every pin and pin directory under `pinDir`, with its owner and mode. */
function pinModes(pinDir: string): Record<string, string> {
  const modes: Record<string, string> = { '.': ownerMode(pinDir) };
  for (const name of readdirSync(pinDir)) modes[name] = ownerMode(join(pinDir, name));
  for (const name of readdirSync(join(pinDir, 'links'))) modes[`links/${name}`] = ownerMode(join(pinDir, 'links', name));
  return modes;
}

describe.skipIf(skip)('vivariumd --group', () => {
  let accounts: Accounts;
  let daemon: Daemon;
  const workers: WorkerProcess[] = [];

  const start = async (user: string) => {
    const started = await WorkerProcess.start(PIN_DIR, { user });
    workers.push(started.worker);
    return started;
  };

  beforeAll(async () => {
    accounts = createAccounts('vivrel-workers', [MEMBER], [OUTSIDER]);
    await wipe(PIN_DIR);
    daemon = await startDaemon(PIN_DIR, [...ARGS, '--group', accounts.group]);
  });

  afterAll(async () => {
    for (const w of workers) await w.kill();
    await daemon?.kill();
    await wipe(PIN_DIR);
    accounts?.remove();
  });

  test('the daemon says who may register; status shows the group', () => {
    expect(daemon.output()).toContain(
      `access: members of group ${accounts.group} (gid ${accounts.gid}) may register workers (${SOCKET} root:${accounts.group} 0660); pins are root's only`,
    );
    expect(status(PIN_DIR).access).toEqual({ group: accounts.group, gid: accounts.gid });
  });

  test('the socket is root:GROUP 0660; every pin stays root’s only (0600, dirs 0700)', () => {
    expect(statSync(SOCKET).isSocket()).toBe(true);
    expect(ownerMode(SOCKET)).toBe(`0:${accounts.gid} 660`);
    const modes = pinModes(PIN_DIR);
    expect(Object.keys(modes)).toEqual(expect.arrayContaining(['meta', 'config_targets', 'rings', 'controls', 'counters', 'ring_owner', 'links/viv_exit']));
    expect(modes).toEqual(Object.fromEntries(Object.keys(modes).map((name) => [name, name === '.' || name === 'links' ? '0:0 700' : '0:0 600'])));
  });

  test('a member registers without root and sees its own events, registered under its own uid', async () => {
    const { worker, hello } = await start(MEMBER);
    expect(hello, hello.message).toMatchObject({ registered: true, uid: accounts.uid(MEMBER) });
    expect(status(PIN_DIR).slots.find((s) => s.slot === hello.slot)?.owner).toMatchObject({ pid: hello.pid, uid: accounts.uid(MEMBER) });
    await worker.drain();
    expect(await worker.opensOf('/etc/hostname', 2)).toBe(2);
    const drained = await worker.drain();
    expect([drained.dropped, drained.tampered]).toEqual([0, null]);
    await worker.send({ cmd: 'exit' });
  });

  test('a member cannot read the status: it needs the pins, which are root’s', () => {
    const r = runAs(MEMBER, [process.execPath, VIVARIUMD, 'status', '--pin-dir', PIN_DIR]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr: `vivarium: cannot open ${PIN_DIR}/meta: EACCES (vivariumd's pins are root's only: run this as root)\n`,
    });
  });

  test('a user outside the group gets an AccessDeniedError naming --group', async () => {
    const { hello } = await start(OUTSIDER);
    expect(hello).toEqual({
      registered: false,
      error: 'AccessDeniedError',
      message: `vivarium: may not register with vivariumd: ${SOCKET} is EACCES for this user (vivariumd lets group ${accounts.group} register: sudo usermod -aG ${accounts.group} ${OUTSIDER}, then log in again)`,
    });
  });

  test('a restart without --group takes the grant back (and adopts the pins)', async () => {
    await daemon.kill('SIGKILL');
    daemon = await startDaemon(PIN_DIR, ARGS);
    expect(daemon.output()).toContain(`adopted the pins in ${PIN_DIR}`);
    expect(daemon.output()).toContain(`access: root only (${SOCKET} 0600; --group NAME lets the members of a group register workers)`);
    expect(ownerMode(SOCKET)).toBe('0:0 600');
    const { hello } = await start(MEMBER);
    expect(hello).toMatchObject({ registered: false, error: 'AccessDeniedError' });
    expect(hello.message).toBe(
      `vivarium: may not register with vivariumd: ${SOCKET} is EACCES for this user (vivariumd lets root only register: run as root, or restart it with --group GROUP and add this user to GROUP)`,
    );
  });
});
