// Vivarium as a user gets it: every package packed with `npm pack` (what a
// registry would serve) and installed from the tarballs, next to the oldest
// runners we support (Vitest 3, Jest 29), in a fresh project outside this
// repository, on a PATH without clang or any build tool. The project starts
// its own `npx vivariumd` — the daemon package carries the compiled CO-RE
// objects, so nothing is built — and runs the shared scenario suite against
// it under both runners, then a policy violation that `vivarium check
// --format github` must pin to its test's line, then the footprint snapshot
// lifecycle. (The newest runners that install here — Vitest 4, Jest 30 — are
// what scenarios.test.ts and footprints.test.ts run.)
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { autoBackend } from '../helpers/daemon.js';
import { REPO, skipKernelTests } from '../helpers/kernel.js';
import { found, pathWithoutBuildTools } from '../helpers/no-build-path.js';
import { footprintLifecycle } from './footprint-lifecycle.js';
import { jestRunner, vitestRunner, wrongOutcomes } from './runners.js';

const skip = skipKernelTests();
const OLDEST = ['vitest@3', 'jest@29', 'jest-environment-node@29'];
const PACKAGES = ['core', 'daemon', 'vitest-plugin', 'jest-env'];
const PIN_DIR = '/sys/fs/bpf/vivarium-e2e-ci-compat';
const BUILD_TOOLS = ['clang', 'llc', 'bpftool', 'gcc', 'cc', 'make'];

describe.skipIf(skip)('from the packed tarballs, in a fresh project without build tools (Vitest 3, Jest 29)', () => {
  let project: string;
  let PATH: string;
  let daemon: ChildProcess | undefined;
  let daemonLog = '';
  const env = () => ({ ...process.env, PATH, VIVARIUM_BPF_PIN_DIR: PIN_DIR });
  const npx = (args: string[], cwd = project) => spawnSync('npx', args, { cwd, env: env(), encoding: 'utf8', timeout: 120_000 });

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'vivarium-compat-'));
    const tarballs = PACKAGES.map((pkg) =>
      join(project, execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: join(REPO, 'packages', pkg), encoding: 'utf8' }).trim().split('\n').pop()!),
    );
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'vivarium-compat', private: true }));
    PATH = pathWithoutBuildTools(join(project, 'bin-without-build-tools'));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...OLDEST, ...tarballs], { cwd: project, env: env(), stdio: 'pipe', timeout: 280_000 });
    cpSync(join(REPO, 'test/e2e/scenarios'), join(project, 'scenarios'), { recursive: true });
    cpSync(join(REPO, 'test/e2e/fixtures/annotate-project'), join(project, 'annotate'), { recursive: true });
    // A user's configs: the setup file (or environment) and the reporter.
    for (const config of ['vitest.config.mjs', 'jest.config.cjs']) cpSync(join(REPO, 'test/e2e/fixtures/policy-project', config), join(project, 'annotate', config));
    // The daemon, as the README says to start it, from the project's own packages.
    npx(['vivariumd', 'stop', '--pin-dir', PIN_DIR]);
    daemon = spawn('npx', ['vivariumd', '--pin-dir', PIN_DIR, '--rings', '16', '--ring-size', String(1 << 22)], { cwd: project, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    daemon.stdout!.on('data', (d) => (daemonLog += d));
    daemon.stderr!.on('data', (d) => (daemonLog += d));
  }, 300_000);

  afterAll(async () => {
    if (project) npx(['vivariumd', 'stop', '--pin-dir', PIN_DIR]);
    if (daemon && daemon.exitCode === null) await new Promise((resolve) => daemon!.once('exit', resolve));
    if (project) rmSync(project, { recursive: true, force: true });
  });

  test('no build tool on the PATH; `npx vivariumd` serves from the shipped objects', async () => {
    expect(found(PATH, BUILD_TOOLS)).toEqual([]);
    const waited = npx(['vivariumd', 'status', '--wait', '60', '--json', '--pin-dir', PIN_DIR]);
    expect(waited.status, `${waited.stderr}\n${daemonLog}`).toBe(0);
    const status = JSON.parse(waited.stdout) as { backend: string; daemon: { pid: number } };
    expect(status.backend).toBe(autoBackend());
    // The daemon runs the installed package, not this repository's.
    const cmdline = readFileSync(`/proc/${status.daemon.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline.some((arg) => arg.startsWith(join(project, 'node_modules')))).toBe(true);
    expect(readFileSync(join(project, 'node_modules/@vivarium/daemon/bpf/syscalls.bpf.o')).subarray(0, 4)).toEqual(Buffer.from('\x7fELF', 'latin1'));
    // Its log arrives through the event loop, which spawnSync held.
    for (let i = 0; i < 50 && !daemonLog.includes('ready:'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(daemonLog).toContain(`ready: backend ${autoBackend()}, pins in ${PIN_DIR}`);
  });

  test.each([vitestRunner, jestRunner])('$name: every scenario has the expected outcome', (runner) => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules', runner.name, 'package.json'), 'utf8')).version;
    expect(installed).toMatch(runner.name === 'vitest' ? /^3\./ : /^29\./);
    // Vitest ends each worker by a signal, never reaching 'exit': core's code cache is made by its set-up file.
    const codeCache = join(project, 'node_modules/@vivarium/core/bundle/.v8-cache');
    if (runner.name === 'vitest') rmSync(codeCache, { recursive: true, force: true });
    const run = runner.run({ home: project, dir: join(project, 'scenarios'), env: { PATH, VIVARIUM_BPF_PIN_DIR: PIN_DIR } });
    expect(new Set(run.results.map((r) => r.file)).size, run.output).toBeGreaterThan(5);
    expect(wrongOutcomes(run.results)).toEqual([]);
    expect(readdirSync(codeCache)).toEqual([expect.stringMatching(/^core\.cjs-[0-9a-f]+-\w+-\d+\.bin$/)]);
  });

  test.each([
    ['vitest', ['vitest', 'run']],
    ['jest', ['jest', '--ci']],
  ])('%s: `vivarium check --format github` annotates the violating test at its file and line', (_, command) => {
    const dir = join(project, 'annotate');
    const run = npx(command, dir);
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(1);
    const check = spawnSync('npx', ['vivarium', 'check', 'vivarium-report.json', '--format', 'github'], {
      cwd: dir,
      env: { ...env(), GITHUB_WORKSPACE: dir },
      encoding: 'utf8',
    });
    expect(check.status, check.stderr).toBe(1);
    expect(check.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^::error file=leak\.test\.cjs,line=7,col=1,title=vivarium%3A runs a program it should not::1 violation\(s\) of .*vivarium\.policy\.json%0Aexec \/usr\/bin\/true  \[child\]: not in allow\.exec$/,
      ),
      expect.stringMatching(/^vivarium check: 1 violation\(s\) in 1 of 2 tests/),
    ]);
  });

  // Vitest 3 writes inline snapshots only into its own toMatchInlineSnapshot() calls.
  describe('footprint snapshots under Vitest 3', () => footprintLifecycle({ runner: 'vitest', home: () => project, inline: 'refused' }));
  describe('footprint snapshots under Jest 29', () => footprintLifecycle({ runner: 'jest', home: () => project, inline: 'written' }));
});
