// Headless Chromium for the HTML report tests: the DOM of a page after its
// script ran (--dump-dom). Outside CI a missing browser skips with the reason.
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { inCI } from '../../../../test/helpers/kernel.js';

function findChromium(): string | null {
  const candidates = process.env.CHROMIUM
    ? [process.env.CHROMIUM]
    : (process.env.PATH ?? '').split(delimiter).flatMap((d) => ['chromium', 'chromium-browser'].map((n) => join(d, n)));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return null;
}

export const CHROMIUM = findChromium();

export const CHROMIUM_MISSING = CHROMIUM
  ? null
  : `${process.env.CHROMIUM ? `CHROMIUM=${process.env.CHROMIUM} is not executable` : 'chromium not found on PATH'} (apt-get install chromium, or bash scripts/setup.sh)`;

/** Outside CI a missing browser skips with the reason; in CI the browser tests fail with it (the others still run). */
export function skipBrowserTests(): boolean {
  if (!CHROMIUM_MISSING || inCI) return false;
  console.warn(`skipping HTML report browser tests: ${CHROMIUM_MISSING}`);
  return true;
}

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--run-all-compositor-stages-before-draw', '--virtual-time-budget=5000',
];

/** The DOM after the page's script ran; the browser's process group is killed on timeout. */
export function dumpDom(url: string, work: string): Promise<string> {
  const profile = mkdtempSync(join(work, 'profile-'));
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM!, [...FLAGS, `--user-data-dir=${profile}`, '--dump-dom', url], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new Error(`chromium --dump-dom ${url}: timed out after 60 s\n${err.slice(-2000)}`));
    }, 60_000);
    child.on('error', (cause) => reject(new Error(`chromium: could not start ${CHROMIUM}`, { cause })));
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && out.includes('</html>')) resolve(out);
      else reject(new Error(`chromium --dump-dom ${url}: exit ${code}\n${err.slice(-2000)}`));
    });
  });
}

/** The text of an HTML fragment. */
export const decode = (html: string) =>
  html.replace(/<[^>]*>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');

export interface Row { id: string; classes: string; hidden: boolean; html: string; text: string }

/** The test rows the script drew (attributes are serialised in the order it set them). */
export function rows(dom: string): Map<string, Row> {
  const found = new Map<string, Row>();
  for (const m of dom.matchAll(/<tr class="(test[^"]*)" id="(t\d+)"([^>]*)>([^]*?)<\/tr>/g))
    found.set(m[2]!, { id: m[2]!, classes: m[1]!, hidden: m[3]!.includes('hidden'), html: m[4]!, text: decode(m[4]!) });
  return found;
}

/** The expanded events of a test: its detail row, up to the next test row or the end of its file. */
export function eventsOf(dom: string, id: string): string {
  const start = dom.indexOf(`<tr class="detail" id="${id}-events">`);
  if (start < 0) throw new Error(`no expanded events for ${id}`);
  const end = dom.slice(start).search(/<tr class="test|<\/details>/);
  return dom.slice(start, start + end);
}
