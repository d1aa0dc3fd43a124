// vivariumd as a service, with the real daemon: READY=1 reaches systemd's
// notify socket only once it serves, `status --wait` returns when workers
// can register, SIGTERM detaches and unpins with exit 0 (STOPPING=1 first),
// and the log is plain lines on stderr.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { socketPathFor } from '@vivarium/core';
import { VIVARIUMD, autoBackend, vivariumd } from '../helpers/daemon.js';
import { skipKernelTests } from '../helpers/kernel.js';
import { type NotifyReceiver, notifyReceiver } from '../helpers/notify-receiver.js';

const skip = skipKernelTests();
const PIN_DIR = '/sys/fs/bpf/vivarium-e2e-ci-service';
const SOCKET = socketPathFor(PIN_DIR);

function stopQuietly(): void {
  try {
    vivariumd(['stop', '--pin-dir', PIN_DIR]);
  } catch {
    // nothing there
  }
}

describe.skipIf(skip)('vivariumd under a service manager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vivarium-service-'));
  let notify: NotifyReceiver;
  const run = { stdout: '', stderr: '', code: undefined as number | null | undefined, notifiedAtReady: [] as string[], waited: { code: -1, stdout: '', stderr: '' }, statusAtReady: '' };

  beforeAll(async () => {
    stopQuietly();
    notify = notifyReceiver(join(dir, 'notify.sock'));
    // The waiting script starts first, as a unit's ExecStartPost or a CI step would race the daemon.
    const waiter = spawn(process.execPath, [VIVARIUMD, 'status', '--wait', '60', '--json', '--pin-dir', PIN_DIR], { stdio: ['ignore', 'pipe', 'pipe'] });
    waiter.stdout.on('data', (d) => (run.waited.stdout += d));
    waiter.stderr.on('data', (d) => (run.waited.stderr += d));
    const waited = new Promise<void>((resolve) => waiter.once('exit', (code) => ((run.waited.code = code ?? -1), resolve())));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const daemon = spawn(process.execPath, [VIVARIUMD, '--pin-dir', PIN_DIR, '--rings', '4', '--ring-size', String(1 << 20)], {
      env: { ...process.env, NOTIFY_SOCKET: notify.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    daemon.stdout.on('data', (d) => (run.stdout += d));
    const exited = new Promise<void>((resolve) => daemon.once('exit', (code) => ((run.code = code), resolve())));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${run.stderr}`)), 60_000);
      daemon.stderr.on('data', (d) => {
        // Before the ready line, systemd must have heard nothing.
        if (!run.stderr.includes('ready:')) run.notifiedAtReady.push(...notify.take());
        run.stderr += d;
        if (run.stderr.includes('told systemd: ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await waited;
    run.notifiedAtReady.push(...notify.take());
    run.statusAtReady = vivariumd(['status', '--json', '--pin-dir', PIN_DIR]);
    daemon.kill('SIGTERM');
    await exited;
  }, 120_000);

  afterAll(() => {
    notify?.close();
    stopQuietly();
    rmSync(dir, { recursive: true, force: true });
  });

  test('READY=1 (with a status line) once it serves, STOPPING=1 on SIGTERM', () => {
    expect(run.notifiedAtReady).toEqual([`READY=1\nSTATUS=backend ${autoBackend()}, workers register on ${SOCKET}\nMAINPID=${/pid (\d+)/.exec(run.stderr)![1]}`]);
    expect(notify.take()).toEqual(['STOPPING=1']);
  });

  test('status --wait, started before the daemon, returned its status once it served', () => {
    expect(run.waited.code, run.waited.stderr).toBe(0);
    const status = JSON.parse(run.waited.stdout) as { daemon: { running: boolean }; socket: string; backend: string };
    expect(status).toMatchObject({ daemon: { running: true }, socket: SOCKET, backend: autoBackend() });
  });

  // A uprobe is a breakpoint in every process mapping its file (each getenv
  // on the machine traps; each fork copies the probed text's page tables):
  // none is attached before a worker asks for its kind.
  test('ready with no ring made and no uprobe attached: each kind waits to be asked for', () => {
    const status = JSON.parse(run.statusAtReady) as { rings: { inUse: number }; uprobes: { files: unknown[]; onDemand: string[] } };
    expect(status.rings.inUse).toBe(0);
    expect(status.uprobes.files).toEqual([]);
    expect(status.uprobes.onDemand).toEqual(['env', 'load', 'http']);
  });

  test('SIGTERM: exit 0, detached and unpinned, socket removed', () => {
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`vivariumd: SIGTERM: detached and unpinned ${PIN_DIR}`);
    expect(existsSync(join(PIN_DIR, 'meta'))).toBe(false);
    expect(existsSync(SOCKET)).toBe(false);
  });

  test('the log is plain lines on stderr, nothing on stdout', () => {
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(/\x1b\[/);
    expect(run.stderr.trim().split('\n').every((line) => line.startsWith('vivariumd: '))).toBe(true);
  });

  test('status --wait with no daemon gives up, naming what is missing', () => {
    const started = Date.now();
    let error: { status: number; stderr: string } | undefined;
    try {
      vivariumd(['status', '--wait', '1', '--pin-dir', PIN_DIR]);
    } catch (err) {
      error = err as { status: number; stderr: string };
    }
    expect(error?.status).toBe(1);
    expect(error?.stderr).toMatch(new RegExp(`^vivariumd: not ready after 1 s: .*${PIN_DIR}/meta.*\\(is vivariumd starting\\? see its log\\)\\n$`));
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
