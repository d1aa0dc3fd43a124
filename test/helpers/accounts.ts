// Real unprivileged accounts for the --group and attack tests: a group and
// users created with groupadd/useradd (no home, no login shell) and removed
// afterwards; processes run as them through setpriv with their own groups.
import { execFileSync, spawnSync } from 'node:child_process';

export interface Accounts {
  group: string;
  gid: number;
  /** Users in the group. */
  members: string[];
  /** Users outside it. */
  outsiders: string[];
  uid(user: string): number;
  remove(): void;
}

function removeAll(group: string, users: string[]): void {
  for (const user of users) spawnSync('userdel', [user], { stdio: 'ignore' });
  spawnSync('groupdel', [group], { stdio: 'ignore' });
}

/** Creates `group` and its `members`, and `outsiders` (removing leftovers of an interrupted run first). */
export function createAccounts(group: string, members: string[], outsiders: string[] = []): Accounts {
  const users = [...members, ...outsiders];
  removeAll(group, users);
  execFileSync('groupadd', [group]);
  const add = (user: string, groups: string[]) =>
    execFileSync('useradd', ['--no-create-home', '--no-user-group', '--shell', '/usr/sbin/nologin', ...(groups.length ? ['--groups', groups.join(',')] : []), user]);
  for (const user of members) add(user, [group]);
  for (const user of outsiders) add(user, []);
  const gid = Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
  return {
    group,
    gid,
    members,
    outsiders,
    uid: (user) => Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()),
    remove: () => removeAll(group, users),
  };
}

/** The argv prefix that runs a command as `user`, with its primary and supplementary groups. */
export function asUser(user: string): string[] {
  const gid = execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim();
  return ['setpriv', `--reuid=${user}`, `--regid=${gid}`, '--init-groups'];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command as `user` to completion. */
export function runAs(user: string, args: string[]): RunResult {
  const r = spawnSync(asUser(user)[0]!, [...asUser(user).slice(1), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
