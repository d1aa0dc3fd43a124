// A footprint diff in words: for a terminal (`vivarium diff`) and as a
// pull-request comment (`vivarium diff --markdown`): a summary, what is new
// to the whole suite, a table of the tests that changed, then the lines of
// each in a collapsed block. Long diffs are cut (GitHub comments hold 65,536
// characters), saying how much was left out.
import type { FootprintDiff, TestChange } from './diff.js';
import { type Footprint, linesOf, sizeOf } from './normalise.js';

const MAX_TESTS = 60;
const MAX_LINES = 80;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** '2 effects added, 1 removed in 2 of 5 tests; 1 test added' */
function diffSummary(diff: FootprintDiff): string {
  const { totals } = diff;
  if (!diff.tests.length) return `no change in the footprint of ${plural(totals.tests, 'test')}`;
  const touched = diff.tests.filter((t) => t.change !== 'removed').length;
  const parts = [`${plural(totals.added, 'effect')} added, ${totals.removed} removed in ${touched} of ${plural(totals.tests, 'test')}`];
  if (totals.testsAdded || totals.testsRemoved) parts.push(`${plural(totals.testsAdded, 'test')} added, ${totals.testsRemoved} removed`);
  return parts.join('; ');
}

const signed = (footprint: Footprint, sign: '+' | '-') => linesOf(footprint).map(({ group, text }) => `${sign} ${group.padEnd(12)} ${text}`);
const diffLines = (t: TestChange) => [...signed(t.added, '+'), ...signed(t.removed, '-')];
const testTitle = (t: TestChange) => `${t.file} > ${t.name}${t.change === 'changed' ? '' : ` (${t.change} test)`}`;

function cut<T>(items: readonly T[], limit: number, more: (n: number) => string): Array<T | string> {
  return items.length > limit ? [...items.slice(0, limit), more(items.length - limit)] : [...items];
}

/** The diff for a terminal. */
export function diffText(diff: FootprintDiff): string {
  const out = [`vivarium diff: ${diffSummary(diff)}`];
  for (const t of diff.tests) {
    out.push(`  ${testTitle(t)}`);
    out.push(...cut(diffLines(t), MAX_LINES, (n) => `… and ${n} more`).map((l) => `    ${l}`));
  }
  return out.join('\n');
}

/** Text for Markdown: no markup, no HTML. */
export function markdownText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`*_[\]|#~])/g, '\\$1');
}

const htmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A fenced block that no backtick run inside it can close. */
function fenced(lang: string, lines: readonly string[]): string {
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((run) => run.length))));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${lang}`, ...lines, fence].join('\n');
}

const counts = (t: TestChange) => [sizeOf(t.added) ? `+${sizeOf(t.added)}` : '', sizeOf(t.removed) ? `−${sizeOf(t.removed)}` : ''];

/** The diff as a pull-request comment. */
export function diffMarkdown(diff: FootprintDiff, title = 'Vivarium footprint'): string {
  const out = [`### ${markdownText(title)}`, '', diff.tests.length ? `**${markdownText(diffSummary(diff))}**` : `No change in the footprint of ${plural(diff.totals.tests, 'test')}.`];
  if (!diff.tests.length) return `${out.join('\n')}\n`;
  for (const [footprint, heading] of [
    [diff.suite.added, 'New to the suite (no test of the base run did it)'],
    [diff.suite.removed, 'Gone from the suite (no test does it any more)'],
  ] as const)
    if (sizeOf(footprint))
      out.push('', `${heading}:`, '', ...cut(linesOf(footprint), MAX_LINES, (n) => `… and ${n} more`).map((l) => (typeof l === 'string' ? `- ${l}` : `- \`${l.group}\` ${markdownText(l.text)}`)));
  const shown = diff.tests.slice(0, MAX_TESTS);
  out.push('', '| Test | File | Added | Removed |', '| --- | --- | ---: | ---: |');
  for (const t of shown) {
    const [added, removed] = counts(t);
    out.push(`| ${markdownText(t.name)}${t.change === 'changed' ? '' : ` *(${t.change} test)*`} | ${markdownText(t.file)} | ${added} | ${removed} |`);
  }
  if (diff.tests.length > shown.length) out.push('', `… and ${plural(diff.tests.length - shown.length, 'more test')} (run \`vivarium diff\` for all of them).`);
  for (const t of shown) {
    const lines = diffLines(t);
    if (!lines.length) continue;
    const [added, removed] = counts(t);
    out.push(
      '',
      `<details><summary><code>${htmlText(t.file)}</code> › ${htmlText(t.name)} (${[added, removed].filter(Boolean).join(' ')})</summary>`,
      '',
      fenced('diff', cut(lines, MAX_LINES, (n) => `  … and ${n} more`) as string[]),
      '',
      '</details>',
    );
  }
  return `${out.join('\n')}\n`;
}
