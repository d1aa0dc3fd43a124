// `vivarium learn`: a policy that allows exactly what a recorded run did,
// generalised only where it is safe — files under the temp dir become
// <tmp>/** (each run makes new temp dirs), loopback servers' ports become *
// (they listen on port 0) — and written with tokens so it holds on every
// machine. It never widens to a system directory on its own. Stable order,
// so it diffs well in a pull request. Each entry's reason goes in `why`: the
// tests that needed it and, with provenance, the packages whose code did it.
import { POLICY_RULES, type PolicyRule } from '../event-kinds.js';
import { type ReportEvent, judgedSubjects, rulesOfLine } from '../event-lines.js';
import { ownerOf } from '../provenance/origin.js';
import type { Subject, SubjectType, SubjectValues } from '../subjects.js';
import { isLoopback } from '../sockaddr.js';
import { anyPortOf, isLoopbackHost, noiseFilter, under } from './generalise.js';
import type { EntryReason, Policy, PolicyWhy } from './policy.js';
import type { TokenValues } from './tokens.js';

/** A path written with the most specific token that holds it. */
function tokenised(path: string, tokens: TokenValues): string {
  const tmp = under(path, tokens.tmp);
  if (tmp !== undefined) return '<tmp>/**';
  for (const name of ['rootDir', 'cwd', 'home'] as const) {
    const rel = under(path, tokens[name]);
    if (rel !== undefined) return rel ? `<${name}>/${rel}` : `<${name}>`;
  }
  return path;
}

/** The pattern that allows exactly a subject (or, where safe, its kind: temp files, loopback ports). */
const PATTERN_OF: { readonly [T in SubjectType]: (value: SubjectValues[T], tokens: TokenValues) => string } = {
  path: tokenised,
  program: (program, tokens) => tokenised(program.path, tokens),
  endpoint: (e, tokens) => {
    if (e.family === 'unix') return `unix:${tokenised(e.address, tokens)}`;
    return isLoopback(e) ? anyPortOf(e) : e.text;
  },
  host: (name) => name,
  // A loopback server a test starts listens on port 0: any port.
  request: (r) => (isLoopbackHost(r.host) ? `${r.method} ${r.scheme}://${r.host.includes(':') ? `[${r.host}]` : r.host}:*${r.path}` : r.text),
  act: (kind) => kind,
  variable: (name) => name,
  library: tokenised,
};

const patternOf = (subject: Subject, tokens: TokenValues) =>
  (PATTERN_OF[subject.type] as (value: Subject['value'], tokens: TokenValues) => string)(subject.value, tokens);

/** Tests named per entry in `why`, at most. */
export const WHY_TESTS = 10;

/** A report line and the test (or record outside tests) it belongs to. */
export interface LearnedLine {
  event: ReportEvent;
  /** 'file > describe > test'. */
  test: string;
}

/** A policy allowing exactly what the events (from a report of a clean run) did;
 * lines with their test also say why each entry is there. */
export function learnPolicy(lines: Iterable<ReportEvent | LearnedLine>, tokens: TokenValues): Policy {
  // Events the default noise list already allows are left out.
  const isNoise = noiseFilter(tokens);
  const seen = new Map<PolicyRule, Map<string, { tests: Set<string>; packages: Set<string> }>>(POLICY_RULES.map((rule) => [rule, new Map()]));
  let explained = false;
  for (const line of lines) {
    const { event, test } = 'event' in line ? line : { event: line, test: undefined };
    for (const rule of event.blind ? [] : rulesOfLine(event)) {
      if (isNoise(event)) continue;
      for (const subject of judgedSubjects(event, rule)) {
        // A request not wholly read allows nothing: learnt as nothing, it keeps failing.
        if (subject.type === 'request' && subject.value.unknown) continue;
        const entries = seen.get(rule)!;
        const pattern = patternOf(subject, tokens);
        let reason = entries.get(pattern);
        if (!reason) entries.set(pattern, (reason = { tests: new Set(), packages: new Set() }));
        if (test !== undefined) (explained = true), reason.tests.add(test);
        const { origin } = event;
        if (origin?.site) reason.packages.add(ownerOf(origin));
      }
    }
  }
  const allow: Policy['allow'] = {};
  const why: PolicyWhy = {};
  for (const rule of POLICY_RULES) {
    const entries = [...seen.get(rule)!].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    allow[rule] = entries.map(([pattern]) => pattern);
    if (entries.length) why[rule] = Object.fromEntries(entries.map(([pattern, r]) => [pattern, reasonOf(r)]));
  }
  return { mode: 'enforce', noise: true, allow, ...(explained ? { why } : {}) };
}

function reasonOf(r: { tests: Set<string>; packages: Set<string> }): EntryReason {
  const tests = [...r.tests].sort();
  const shown = tests.length > WHY_TESTS ? [...tests.slice(0, WHY_TESTS), `… and ${tests.length - WHY_TESTS} more`] : tests;
  return { tests: shown, packages: [...r.packages].sort() };
}
