// Reading a report that may be merged from runs on several machines: each
// file's events are judged with the tokens of the run that recorded them
// (another <tmp>, <home> or <rootDir> per machine).
import { POLICY_RULES } from '../event-kinds.js';
import { PolicyChecker } from '../policy/evaluate.js';
import { noiseFilter } from '../policy/generalise.js';
import { WHY_TESTS, learnPolicy } from '../policy/learn.js';
import type { EntryReason, Policy, PolicyWhy } from '../policy/policy.js';
import { readPolicyFile } from '../policy/policy-file.js';
import type { TokenValues } from '../policy/tokens.js';
import type { Report, ReportFile } from './types.js';

/** The tokens of the run that recorded `file`. */
export function tokensOf(report: Report, file: ReportFile): TokenValues {
  return (file.shard !== undefined ? report.shards?.[file.shard]?.tokens : undefined) ?? report.tokens;
}

/** The report's files grouped by the tokens of their run (one group for a single run). */
function byTokens(report: Report): Array<{ tokens: TokenValues; files: ReportFile[] }> {
  const groups = new Map<string, { tokens: TokenValues; files: ReportFile[] }>();
  for (const file of report.files) {
    const tokens = tokensOf(report, file);
    const key = JSON.stringify(tokens);
    const group = groups.get(key) ?? { tokens, files: [] };
    group.files.push(file);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** A policy file compiled once per run of the report, and the checker of each file. */
export function policyCheckerFor(report: Report, policyPath: string): (file: ReportFile) => PolicyChecker {
  const checkers = new Map<TokenValues, PolicyChecker>();
  return (file) => {
    const tokens = tokensOf(report, file);
    let checker = checkers.get(tokens);
    if (!checker) checkers.set(tokens, (checker = new PolicyChecker(readPolicyFile(policyPath, tokens), policyPath, tokens)));
    return checker;
  };
}

/** `vivarium learn` on a report: each run's events learned with its own tokens, the lists joined. */
export function learnFromReport(report: Report): Policy {
  const learned = byTokens(report).map(({ tokens, files }) => {
    // Outside tests, what module loading and the runner do on their own is noise there, not to be learned.
    const noise = { file: noiseFilter(tokens, 'file'), run: noiseFilter(tokens, 'run') };
    const lines = files.flatMap((f) =>
      f.tests.flatMap((t) => (t.scope ? t.events.filter((e) => !noise[t.scope!](e)) : t.events).map((event) => ({ event, test: `${f.file} > ${t.name}` }))),
    );
    return learnPolicy(lines, tokens);
  });
  if (learned.length === 1) return learned[0]!;
  const allow: Policy['allow'] = {};
  const why: PolicyWhy = {};
  for (const rule of POLICY_RULES) {
    allow[rule] = [...new Set(learned.flatMap((p) => p.allow?.[rule] ?? []))].sort();
    const entries: Record<string, EntryReason> = {};
    for (const pattern of allow[rule]!) {
      const reasons = learned.map((p) => p.why?.[rule]?.[pattern]).filter((r) => r !== undefined);
      entries[pattern] = { tests: [...new Set(reasons.flatMap((r) => r.tests))].sort().slice(0, WHY_TESTS), packages: [...new Set(reasons.flatMap((r) => r.packages))].sort() };
    }
    if (allow[rule]!.length) why[rule] = entries;
  }
  return { ...learned[0]!, allow, why };
}
