// The shared end-to-end suite: every scenario under test/e2e/scenarios runs
// in a real runner process against the real daemon, for every adapter.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Accounts, createAccounts } from '../helpers/accounts.js';
import { type Daemon, startDaemon, vivariumd } from '../helpers/daemon.js';
import { E2E_PIN_DIR } from './daemon.global.js';
import { skipKernelTests } from '../helpers/kernel.js';
import { type RunResult, type Runner, expectationOf, jestRunner, vitestRunner, wrongOutcomes } from './runners.js';

const runners: Runner[] = [vitestRunner, jestRunner];
const scenarioFiles = readdirSync(fileURLToPath(new URL('./scenarios', import.meta.url))).filter((f) => f.endsWith('.test.cjs'));
const skip = skipKernelTests();

describe.skipIf(skip).each(runners)('$name adapter', (runner) => {
  let run: RunResult;
  beforeAll(() => {
    run = runner.run();
  }, 300_000);

  test('every scenario file ran', () => {
    const ran = new Set(run.results.map((r) => r.file));
    expect([...ran].sort(), run.output).toEqual([...scenarioFiles].sort());
  });

  test('every scenario has the expected outcome', () => {
    expect(run.results.length).toBeGreaterThan(10);
    expect(wrongOutcomes(run.results)).toEqual([]);
  });

  test('with no daemon, matchers fail clearly and other tests pass', () => {
    const down = runner.run({ dir: 'scenarios-daemon-down', env: { VIVARIUM_BPF_PIN_DIR: '/sys/fs/bpf/vivarium-no-daemon' } });
    expect(down.results.map((r) => [r.title, r.status])).toEqual([
      [expect.stringContaining('FAILS'), 'failed'],
      ['a test without matchers still passes', 'passed'],
    ]);
    const failure = down.results[0]!.failure;
    for (const mention of expectationOf(down.results[0]!.title).mentions) expect(failure).toContain(mention);
  });
});

// The same scenarios as a real unprivileged user in the daemon's --group: a
// CI runner's user registers through the socket and gets the same outcomes.
// Scenarios that act as root by design are left out, each with its reason.
const ROOT_ONLY: Record<string, string> = {
  'tamper.test.cjs': 'root test code deleting its own registration: a member cannot open the pins at all (attacks.test.ts)',
};
/** Tests that skip themselves unless root: binds in the worker's own mount namespace. */
const SKIPPED_UNLESS_ROOT = [
  "FAILS[/etc/hostname]: read through a bind of /etc in the worker's own namespace",
  'a relative path in a bind-mounted directory: where it led and as requested, both placed',
  'FAILS[-outside-;/handled.txt]: open_by_handle_at is judged by the file it opened',
];
/** A port above 1023 the member's resolver may bind, watched as DNS by its daemon. */
const MEMBER_DNS_PORT = '10053';

describe.skipIf(skip)('as an unprivileged member of --group', () => {
  const pinDir = `${E2E_PIN_DIR}-member`;
  const member = 'vive2e-member';
  let accounts: Accounts;
  let daemon: Daemon;
  beforeAll(async () => {
    accounts = createAccounts('vive2e-workers', [member]);
    daemon = await startDaemon(pinDir, ['--rings', '8', '--ring-size', String(1 << 22), '--group', accounts.group, '--dns-port', `53,${MEMBER_DNS_PORT}`]);
  }, 60_000);
  afterAll(async () => {
    await daemon?.stop();
    accounts?.remove();
  });

  test.each(runners)('$name: every scenario but the root-only ones has the expected outcome', (runner) => {
    const files = scenarioFiles.filter((f) => !(f in ROOT_ONLY));
    const run = runner.run({
      files: files.map((f) => f.replace(/\.test\.cjs$/, '')),
      user: member,
      env: { VIVARIUM_BPF_PIN_DIR: pinDir, VIVARIUM_E2E_DNS_PORT: MEMBER_DNS_PORT },
    });
    expect([...new Set(run.results.map((r) => r.file))].sort(), run.output).toEqual(files.sort());
    const skipped = run.results.filter((r) => r.status === 'skipped' || r.status === 'pending');
    expect(skipped.map((r) => r.title).sort()).toEqual([...SKIPPED_UNLESS_ROOT].sort());
    expect(wrongOutcomes(run.results.filter((r) => !skipped.includes(r)))).toEqual([]);
  }, 300_000);
});

// A worker whose files vivariumd could not attach uprobes to: here, a daemon
// told to attach none. The kinds fed by uprobes are unavailable, said so by
// status, and their checks fail with the reason under both runners.
describe.skipIf(skip)('a daemon without uprobes', () => {
  const pinDir = `${E2E_PIN_DIR}-no-uprobes`;
  let daemon: Daemon;
  beforeAll(async () => {
    daemon = await startDaemon(pinDir, ['--rings', '4', '--no-uprobes']);
  }, 60_000);
  afterAll(() => daemon?.stop());

  test.each(runners)('$name: env, load and http checks fail with the reason; others pass', (runner) => {
    const run = runner.run({ dir: 'scenarios-uprobes-off', env: { VIVARIUM_BPF_PIN_DIR: pinDir } });
    expect(run.results.length, run.output).toBe(4);
    expect(wrongOutcomes(run.results)).toEqual([]);
  });

  test('vivariumd status says why', () => {
    expect(vivariumd(['status', '--pin-dir', pinDir])).toContain('uprobes:  unavailable (vivariumd runs with --no-uprobes)');
  });
});

// Kinds chosen with --uprobes: the others' uprobes are never attached (http's
// sit in node itself and slow every fork of a Node process), and a worker is
// told they are unavailable, and why.
describe.skipIf(skip)('a daemon with --uprobes env,load', () => {
  const pinDir = `${E2E_PIN_DIR}-some-uprobes`;
  let daemon: Daemon;
  beforeAll(async () => {
    daemon = await startDaemon(pinDir, ['--rings', '4', '--uprobes', 'env,load']);
  }, 60_000);
  afterAll(() => daemon?.stop());

  test('a worker asking for every kind gets http unavailable, naming the flag, env and load seen; no TLS function attached anywhere', () => {
    const script = `import { Worker } from '@vivarium/core';
const w = Worker.register({ pinDir: ${JSON.stringify(pinDir)}, kinds: ['env', 'load', 'http'] });
process.stdout.write(JSON.stringify(w.drain().unavailable ?? {}));
w.unregister();`;
    const unavailable = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as Record<string, string>;
    expect(unavailable).toEqual({ http: 'vivariumd runs with --uprobes env,load' });
    const status = JSON.parse(vivariumd(['status', '--json', '--pin-dir', pinDir])) as { uprobes: { files: Array<{ file: string; symbols: string[] }>; onDemand: string[] } };
    const symbols = status.uprobes.files.flatMap((f) => f.symbols);
    expect(symbols).toEqual(expect.arrayContaining(['getenv', 'dlopen']));
    expect(symbols.filter((s) => s.startsWith('SSL_'))).toEqual([]);
    expect(status.uprobes.onDemand).toEqual(['env', 'load']);
  });
});

describe.skipIf(skip)('vitest pools', () => {
  // isolate: false runs many test files in each worker process (one session
  // per process, as under Jest): each file and test still gets only its own events.
  test('test files sharing one worker process (--no-isolate) keep their own events', () => {
    const files = ['isolation', 'crosstalk-a', 'crosstalk-b', 'crosstalk-c', 'opens'];
    const run = vitestRunner.run({ files, extraArgs: ['--no-isolate', '--maxWorkers=1', '--no-file-parallelism'] });
    expect(new Set(run.results.map((r) => r.file)).size, run.output).toBe(files.length);
    expect(wrongOutcomes(run.results)).toEqual([]);
  });


  test("the threads pool is refused with a message naming 'forks'", () => {
    const run = vitestRunner.run({ files: ['isolation'], extraArgs: ['--pool=threads'] });
    expect(run.exitCode).not.toBe(0);
    expect(run.output).toContain("set test.pool to 'forks'");
  });
});

// Not shared: @vivarium/jest drains at the test function's own boundaries
// (jest-circus events), so beforeEach/afterEach work is no test's; Vitest
// offers no such boundary, and its adapter's window encloses the hooks.
describe.skipIf(skip)('jest adapter only', () => {
  test("events of beforeEach/afterEach hooks are not the test's", () => {
    const run = jestRunner.run({ dir: 'scenarios-jest-hooks' });
    expect(run.results.length, run.output).toBe(4);
    expect(wrongOutcomes(run.results)).toEqual([]);
  });
});
