// `vivariumd status --wait`: ready is a socket that answers; a deadline names what was missing.
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseOptions } from '../src/options.js';
import { socketAnswers, waitForDaemon } from '../src/status-wait.js';

const dir = mkdtempSync(join(tmpdir(), 'vivariumd-wait-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serve(path: string, answer: boolean): Promise<Server> {
  const server = createServer((s) => s.on('data', () => (answer ? s.write('{"ok":false}\n') : undefined)));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

describe('socketAnswers', () => {
  test('a line back is an answer', async () => {
    const path = join(dir, 'answers.sock');
    const server = await serve(path, true);
    try {
      expect(await socketAnswers(path)).toBe(true);
    } finally {
      server.close();
    }
  });

  test('listening is not enough: it must answer', async () => {
    const path = join(dir, 'silent.sock');
    const server = await serve(path, false);
    try {
      expect(await socketAnswers(path, 200)).toBe(`${path} accepted a connection but did not answer`);
    } finally {
      server.close();
    }
  });

  test('nothing there', async () => {
    expect(await socketAnswers(join(dir, 'none.sock'))).toBe(`${join(dir, 'none.sock')}: ENOENT`);
  });
});

test('waitForDaemon gives up after the deadline, naming what was missing', async () => {
  const started = Date.now();
  await expect(waitForDaemon(join(dir, 'no-pins'), join(dir, 'none.sock'), 1)).rejects.toThrow(
    new RegExp(`^vivariumd: not ready after 1 s: .*${join(dir, 'no-pins')}.* \\(is vivariumd starting\\? see its log\\)$`),
  );
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  expect(Date.now() - started).toBeLessThan(5000);
});

test('--wait takes whole seconds and goes with status only', () => {
  expect(parseOptions(['status', '--wait', '30']).wait).toBe(30);
  expect(parseOptions(['status']).wait).toBeUndefined();
  expect(() => parseOptions(['status', '--wait', 'soon'])).toThrow("vivariumd: --wait must be a whole number, got 'soon'");
  expect(() => parseOptions(['--wait', '3'])).toThrow('vivariumd: --wait goes with status (vivariumd status --wait SECONDS)');
});
