// `vivarium summary REPORT`: the report as Markdown for a CI job's summary
// (`>> $GITHUB_STEP_SUMMARY`): totals, every violation with its test, rule
// and subject, lost events, the runs a merged report joins, and what the
// tests touched most (paths and programs, without what Node and the runners
// open on their own).
import type { ReportEvent } from '../event-lines.js';
import { judgedSubjects } from '../event-lines.js';
import { PolicyChecker } from '../policy/evaluate.js';
import type { TokenValues } from '../policy/tokens.js';
import { tokensOf } from '../report/shards.js';
import type { Report, ReportFile, ReportTest } from '../report/types.js';
import { subjectText } from '../subjects.js';

export interface SummaryOptions {
  /** Rows in each "most touched" table (default 10). */
  top?: number;
  /** Rows of the violations table before "… and N more" (default 50). */
  maxViolations?: number;
}

const number = (n: number) => n.toLocaleString('en-US');

/** Text for a table cell: pipes escaped, one line. */
const cell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Inline code that survives backticks in the text, for a table cell. */
function code(text: string): string {
  const ticks = '`'.repeat(Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return cell(`${ticks}${pad}${text}${pad}${ticks}`);
}

function table(head: string[], rows: string[][], align: Array<'l' | 'r'>): string[] {
  return [`| ${head.join(' | ')} |`, `| ${align.map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** A path written with the token of the run that holds it (the longest), so runs on different machines agree. */
function withToken(path: string, tokens: TokenValues): string {
  let best: [string, string] | undefined;
  for (const name of ['rootDir', 'tmp', 'home', 'cwd'] as const) {
    const dir = tokens[name];
    if (dir && dir !== '/' && (path === dir || path.startsWith(`${dir}/`)) && (!best || dir.length > best[1].length)) best = [name, dir];
  }
  return best ? `<${best[0]}>${path.slice(best[1].length)}` : path;
}

interface Tally {
  events: number;
  tests: Set<ReportTest>;
}

function tally(map: Map<string, Tally>, key: string, test: ReportTest, count: number): void {
  const t = map.get(key) ?? { events: 0, tests: new Set() };
  t.events += count;
  t.tests.add(test);
  map.set(key, t);
}

function top(map: Map<string, Tally>, n: number): Array<[string, Tally]> {
  return [...map].sort(([a, x], [b, y]) => y.events - x.events || y.tests.size - x.tests.size || a.localeCompare(b)).slice(0, n);
}

/** Paths and programs the tests touched, noise left out, counted in events and tests. */
function touched(report: Report): { paths: Map<string, Tally>; programs: Map<string, Tally> } {
  const paths = new Map<string, Tally>();
  const programs = new Map<string, Tally>();
  const noiseOf = new Map<TokenValues, PolicyChecker>();
  // Outside its tests a file also loads its modules: noise there too.
  const isNoise = (event: ReportEvent, tokens: TokenValues, test: ReportTest) => {
    let noise = noiseOf.get(tokens);
    if (!noise) noiseOf.set(tokens, (noise = new PolicyChecker({ allow: { read: [], write: [] } }, 'noise', tokens)));
    return (test.scope === 'file' ? noise.forFileOutsideTests('') : noise.forFile('')).check([event]).length === 0;
  };
  for (const file of report.files) {
    const tokens = tokensOf(report, file);
    // The runner's own record is its installation and caches, not what the tests touched.
    for (const test of file.tests.filter((t) => t.scope !== 'run'))
      for (const event of test.events) {
        if (event.rule === 'exec') for (const s of judgedSubjects(event, 'exec')) tally(programs, withToken(subjectText(s), tokens), test, event.count);
        if ((event.rule === 'read' || event.rule === 'write') && !isNoise(event, tokens, test))
          for (const s of judgedSubjects(event, event.rule)) tally(paths, withToken(subjectText(s), tokens), test, event.count);
      }
  }
  return { paths, programs };
}

const testLabel = (file: ReportFile, test: ReportTest) => `${code(`${file.file}${test.line ? `:${test.line}` : ''}`)} › ${cell(test.name)}`;

export function summaryMarkdown(report: Report, options: SummaryOptions = {}): string {
  const { top: n = 10, maxViolations = 50 } = options;
  // Every record: the tests, each file's record outside its tests, the runner's.
  const tests = report.files.flatMap((file) => file.tests.map((test) => ({ file, test })));
  const { totals } = report;
  const status = (s: string) => tests.filter((t) => !t.test.scope && t.test.status === s).length;
  // The runner's record fails nothing unless the policy enforces it.
  const counted = tests.filter(({ test }) => test.scope !== 'run' || report.policy?.runner === 'enforce');
  const failingTests = counted.filter((t) => t.test.violations.length).length;
  const violationCount = counted.reduce((n, t) => n + t.test.violations.length, 0);
  const audited = report.policy?.mode === 'audit';
  const verdict =
    audited && violationCount && !totals.dropped
      ? `⚠️ ${number(violationCount)} violation(s) in ${number(failingTests)} of ${number(totals.tests)} tests, audited (not enforced)`
      : violationCount || totals.dropped
      ? `❌ ${number(violationCount)} violation(s) in ${number(failingTests)} of ${number(totals.tests)} tests${totals.dropped ? `, ${number(totals.dropped)} event(s) lost` : ''}`
      : `✅ ${number(totals.tests)} tests, no violations`;
  const out = [`## Vivarium: ${verdict}`, ''];
  const policy = report.policy ? `policy ${report.policy.mode} (${code(report.policy.source)})` : 'no policy';
  out.push(`${cell(report.runner.name)} ${cell(report.runner.version)} · backend ${code(report.vivarium.backend)} · ${policy} · vivarium ${cell(report.vivarium.version)}`, '');
  out.push(
    ...table(
      ['tests', 'passed', 'failed', 'skipped', 'events', 'violations', 'lost events'],
      [[totals.tests, status('passed'), status('failed'), status('skipped') + status('todo'), totals.events, totals.violations, totals.dropped].map(number)],
      ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  );
  if (report.shards && report.shards.length > 1) {
    const count = (i: number) => report.files.filter((f) => f.shard === i).reduce((m, f) => m + f.tests.filter((t) => !t.scope).length, 0);
    out.push(
      `### Runs merged (${report.shards.length})`,
      '',
      ...table(
        ['#', 'host', 'kernel', 'runner', 'backend', 'vivarium', 'tests'],
        report.shards.map((s, i) => [
          String(i + 1),
          cell(s.host?.hostname ?? '?'),
          cell(s.host?.kernel ?? '?'),
          cell(`${s.runner.name} ${s.runner.version}`),
          code(s.vivarium.backend),
          cell(s.vivarium.version),
          number(count(i)),
        ]),
        ['r', 'l', 'l', 'l', 'l', 'l', 'r'],
      ),
      '',
    );
  }
  const violations = tests.flatMap(({ file, test }) => test.violations.map((v) => ({ file, test, v })));
  if (violations.length) {
    out.push(
      `### Violations (${number(violations.length)})`,
      '',
      ...table(
        ['test', 'rule', 'subject', 'event'],
        violations.slice(0, maxViolations).map(({ file, test, v }) => [testLabel(file, test), code(v.rule), code(v.subject), cell(v.message)]),
        ['l', 'l', 'l', 'l'],
      ),
    );
    if (violations.length > maxViolations) out.push('', `… and ${number(violations.length - maxViolations)} more (see vivarium-report.html)`);
    out.push('');
  }
  const lost = tests.filter(({ test }) => test.dropped);
  if (lost.length)
    out.push(
      `### Lost events (${number(totals.dropped)})`,
      '',
      'A test that lost events proves nothing: restart vivariumd with a larger `--ring-size`.',
      '',
      ...table(['test', 'lost'], lost.map(({ file, test }) => [testLabel(file, test), number(test.dropped)]), ['l', 'r']),
      '',
    );
  const { paths, programs } = touched(report);
  const topTable = (title: string, what: string, map: Map<string, Tally>) =>
    map.size
      ? [`### ${title}`, '', ...table([what, 'events', 'tests'], top(map, n).map(([k, t]) => [code(k), number(t.events), number(t.tests.size)]), ['l', 'r', 'r']), '']
      : [];
  out.push(...topTable(`Most touched paths (top ${Math.min(n, paths.size)} of ${number(paths.size)}; Node's and the runner's own files left out)`, 'path', paths));
  out.push(...topTable(`Programs run (top ${Math.min(n, programs.size)} of ${number(programs.size)})`, 'program', programs));
  return `${out.join('\n').trimEnd()}\n`;
}
