// The systemd unit shipped in the package: Type=notify (vivariumd sends
// READY=1 once it serves), and a file systemd itself accepts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const UNIT = join(PACKAGE, 'systemd/vivariumd.service');
const text = readFileSync(UNIT, 'utf8');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

test('Type=notify with the node process notifying, a clean SIGTERM stop, restart on failure', () => {
  const service = text.slice(text.indexOf('[Service]'), text.indexOf('[Install]'));
  const directives = service.split('\n').filter((l) => /^[A-Za-z]+=/.test(l));
  expect(directives).toEqual([
    'Type=notify',
    'NotifyAccess=main',
    'ExecStart=/usr/local/bin/vivariumd --group vivarium',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30',
    'Restart=on-failure',
    'RestartSec=2',
    'StandardError=journal',
  ]);
});

test('the package ships it', () => {
  expect(JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')).files).toContain('systemd');
});

test.skipIf(!hasSystemdAnalyze)('systemd-analyze verify accepts it (ExecStart pointed at this checkout)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vivariumd-unit-'));
  try {
    const unit = join(dir, 'vivariumd.service');
    writeFileSync(unit, text.replaceAll('/usr/local/bin/vivariumd', join(PACKAGE, 'bin/vivariumd.js')));
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
