// examples/github-actions/.github/workflows/vivarium.yml, step by step, as
// GitHub's runner would run it: a fresh unprivileged user (its own group,
// a home, passwordless sudo — what ubuntu-latest's `runner` has) runs every
// `run:` block verbatim with bash -eo pipefail in a checkout of the example,
// with the job's env (only the pin dir is the test's own). The `uses:` steps
// are done by the test: checkout copies the example, setup-node checks the
// Node version, upload-artifact collects its path. The project installs with
// `npm ci` from a lockfile whose @vivarium packages come from their npm pack
// tarballs (served on 127.0.0.1, as a registry would) and the rest from npm.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Report } from '@vivarium/core';
import { socketPathFor } from '@vivarium/core';
import { autoBackend, vivariumd } from '../helpers/daemon.js';
import { REPO, inCI, skipKernelTests } from '../helpers/kernel.js';
import { type TarballRegistry, serveTarballs } from '../helpers/tarball-registry.js';
import { asUser } from '../helpers/accounts.js';

const EXAMPLE = join(REPO, 'examples/github-actions');
const WORKFLOW = join(EXAMPLE, '.github/workflows/vivarium.yml');
const USER = 'vivci-runner';
const SUDOERS = '/etc/sudoers.d/vivarium-e2e-ci';
const PIN_DIR = '/sys/fs/bpf/vivarium-e2e-ci-gha';
const SOCKET = socketPathFor(PIN_DIR);
/** The day the example's dependencies resolve at (npm --before): the versions the repository's own lockfile has. */
const RESOLVED_ON = '2026-11-20';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | number>;
}
interface Workflow {
  jobs: Record<string, { 'runs-on': string; env?: Record<string, string>; steps: Step[] }>;
}

interface StepResult {
  step: string;
  code: number;
  output: string;
}

function sudoUnavailable(): boolean {
  if (spawnSync('sudo', ['--version'], { stdio: 'ignore' }).status === 0) return false;
  if (inCI) throw new Error('the GitHub Actions workflow test needs sudo (scripts/setup.sh installs it)');
  console.warn('skipping the GitHub Actions workflow test: no sudo');
  return true;
}

const skip = skipKernelTests() || sudoUnavailable();

function removeUser(): void {
  spawnSync('userdel', ['--remove', USER], { stdio: 'ignore' });
  spawnSync('groupdel', [USER], { stdio: 'ignore' });
  rmSync(SUDOERS, { force: true });
}

describe.skipIf(skip)('the GitHub Actions example, run as a fresh unprivileged user', () => {
  const workflow = yaml.load(readFileSync(WORKFLOW, 'utf8')) as Workflow;
  const job = Object.values(workflow.jobs)[0]!;
  const home = `/home/${USER}`;
  const workspace = join(home, 'work/app');
  const runnerTemp = join(home, 'runner-temp');
  const summary = join(runnerTemp, 'step-summary.md');
  const artifacts = mkdtempSync(join(tmpdir(), 'vivarium-gha-artifacts-'));
  const results: StepResult[] = [];
  /** The socket while the daemon served (after the step that started it). */
  let socketWhileServing: { uid: number; gid: number; mode: number } | undefined;
  let registry: TarballRegistry | undefined;
  let uid = -1;
  let gid = -1;

  /** Runs a bash script as the runner user. Asynchronously: the registry answers from this process. */
  const asRunner = (script: string, env: Record<string, string>) =>
    new Promise<{ status: number; output: string }>((resolve) => {
      const args = [...asUser(USER).slice(1), 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', script];
      const child = spawn(asUser(USER)[0]!, args, { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ status: code ?? -1, output });
      });
    });

  /** One step: `run:` as the runner user; `uses:` done here, as the action would. */
  async function runStep(step: Step, env: Record<string, string>): Promise<StepResult> {
    const name = step.name ?? step.uses ?? step.run!.split('\n')[0]!;
    if (step.run !== undefined) {
      const r = await asRunner(step.run, env);
      return { step: name, code: r.status, output: r.output };
    }
    const action = step.uses!.split('@')[0];
    switch (action) {
      case 'actions/checkout':
        return { step: name, code: existsSync(join(workspace, 'package.json')) ? 0 : 1, output: 'checked out before the job (the example, copied)' };
      case 'actions/setup-node': {
        const wanted = String(step.with?.['node-version']);
        return { step: name, code: process.versions.node.startsWith(`${wanted}.`) ? 0 : 1, output: `node ${process.versions.node} (wanted ${wanted})` };
      }
      case 'actions/upload-artifact': {
        const path = join(workspace, String(step.with?.path));
        if (!existsSync(path)) return { step: name, code: 1, output: `no file at ${path}` };
        copyFileSync(path, join(artifacts, String(step.with?.path)));
        return { step: name, code: 0, output: `uploaded ${step.with?.path} as ${step.with?.name}` };
      }
      default:
        return { step: name, code: 1, output: `the test does not know the action ${step.uses}` };
    }
  }

  beforeAll(async () => {
    removeUser();
    try {
      vivariumd(['stop', '--pin-dir', PIN_DIR]);
    } catch {
      // nothing to stop
    }
    spawnSync('useradd', ['--create-home', '--user-group', '--shell', '/bin/bash', USER], { stdio: 'pipe' });
    uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim());
    gid = Number(spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout.trim());
    writeFileSync(SUDOERS, `${USER} ALL=(ALL) NOPASSWD:ALL\n`);
    chmodSync(SUDOERS, 0o440);
    // The registry's side: the packed tarballs; the user's side: its scope pointed there.
    registry = await serveTarballs(mkdtempSync(join(tmpdir(), 'vivarium-gha-packs-')));
    writeFileSync(join(home, '.npmrc'), `@vivarium:registry=${registry.url}\n`);
    // The repository as the user's checkout has it, with its lockfile.
    cpSync(EXAMPLE, workspace, { recursive: true, filter: (src) => !/node_modules|vivarium-report\./.test(src) });
    mkdirSync(runnerTemp, { recursive: true });
    writeFileSync(summary, '');
    spawnSync('chown', ['-R', `${USER}:${USER}`, home]);
    const base = { HOME: home, USER, LOGNAME: USER, LANG: 'C.UTF-8', PATH: `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` };
    // Resolved as on a fixed day, as a committed lockfile would be: vite 8.4.0 (2026-11-26)
    // names an optional dependency this machine's registry does not serve, and npm ci then
    // refuses the lock npm itself wrote.
    const lock = await asRunner(`npm install --package-lock-only --before=${RESOLVED_ON} --no-audit --no-fund --loglevel=error`, base);
    if (lock.status !== 0) throw new Error(`npm install --package-lock-only failed:\n${lock.output}`);
    // The job: its env (the pin dir is this test's own), as GitHub sets it.
    const env = {
      ...base,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: runnerTemp,
      ...job.env,
      VIVARIUM_BPF_PIN_DIR: PIN_DIR,
    };
    let failed = false;
    for (const step of job.steps) {
      // A failed step skips the rest but for `if: always()` ones, as on GitHub.
      if (failed && step.if !== 'always()') continue;
      const result = await runStep(step, env);
      results.push(result);
      if (result.code !== 0) failed = true;
      if (!socketWhileServing && existsSync(SOCKET)) {
        const st = statSync(SOCKET);
        socketWhileServing = { uid: st.uid, gid: st.gid, mode: st.mode & 0o777 };
      }
    }
  }, 900_000);

  afterAll(async () => {
    try {
      vivariumd(['stop', '--pin-dir', PIN_DIR]);
    } catch {
      // stopped by the workflow
    }
    await registry?.close();
    removeUser();
    rmSync(artifacts, { recursive: true, force: true });
  });

  const outputOf = (name: string) => results.find((r) => r.step === name)?.output ?? '';

  test('the workflow targets ubuntu-latest and every step succeeded, in order', () => {
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(results.map((r) => [r.step, r.code === 0 ? 'ok' : r.output])).toEqual(job.steps.map((s) => [s.name ?? s.uses, 'ok']));
  });

  test('vivariumd ran as root with the runner’s group on its socket, on the backend auto chooses here (syscalls on ubuntu-latest)', () => {
    expect(socketWhileServing).toEqual({ uid: 0, gid, mode: 0o660 });
    const log = outputOf('Stop vivariumd');
    expect(log).toContain(`ready: backend ${autoBackend()}, pins in ${PIN_DIR}`);
    expect(log).toContain(`access: members of group ${USER} (gid ${gid}) may register workers`);
    expect(log).toContain(`vivariumd: SIGTERM: detached and unpinned ${PIN_DIR}`);
    expect(existsSync(join(PIN_DIR, 'meta'))).toBe(false);
  });

  test('the tests ran as the runner user, registered, and observed', () => {
    const reportPath = join(workspace, 'vivarium-report.json');
    expect(statSync(reportPath).uid).toBe(uid);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    expect(report.tokens.home).toBe(home);
    expect(report.vivarium.backend).toBe(autoBackend());
    expect(report.files.flatMap((f) => f.tests.filter((t) => !t.scope).map((t) => [t.name, t.status, typeof t.line]))).toEqual([
      ['reads the project, writes only its temp dir', 'passed', 'number'],
      ['the cache holds the name', 'passed', 'number'],
    ]);
    expect(report.totals.events).toBeGreaterThan(0);
  });

  test('the job summary, the artifact and the gate', () => {
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toMatch(/^## Vivarium: ✅ 2 tests, no violations\n/);
    expect(markdown).toContain(`backend \`${autoBackend()}\``);
    expect(readFileSync(join(artifacts, 'vivarium-report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(outputOf('Gate')).toContain('vivarium check: 2 tests, no violations (policy: vivarium.policy.json)');
  });
});
