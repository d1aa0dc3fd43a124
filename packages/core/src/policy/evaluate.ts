// Checking report lines against a policy. Each line carries its rule and
// typed subjects (from the kind table, event-kinds.ts): the rule's allow-list
// must cover every subject of the type that rule judges.
import { relative } from 'node:path';
import picomatch from 'picomatch';
import { type PolicyRule, RULE_SUBJECT } from '../event-kinds.js';
import { type ReportEvent, type Violation, judgedSubjects, rulesOfLine } from '../event-lines.js';
import { formatSubjectLine } from '../format.js';
import { type Subject, subjectText } from '../subjects.js';
import { defaultNoise, moduleNoise, runnerNoise } from './noise.js';
import type { Policy, PolicyAllow, PolicyMode } from './policy.js';
import { compileSubjectPatterns } from './subject-patterns.js';
import type { TokenValues } from './tokens.js';

/** For one rule: the subjects of a line its patterns do not allow. A line with
 * nothing to judge (a DNS query whose name could not be read) is not allowed:
 * `undefined` stands for it. */
type Uncovered = (event: ReportEvent) => Array<Subject | undefined>;

function compileUncovered(rule: PolicyRule, patterns: string[], tokens: TokenValues, what: string): Uncovered {
  const allowed = patterns.length ? compileSubjectPatterns(RULE_SUBJECT[rule], patterns, tokens, what) : undefined;
  return (event) => {
    const judged = judgedSubjects(event, rule);
    // Its own rule with nothing to judge: an unreadable DNS name, a path the
    // kernel could not resolve, something the backend could not see.
    if (judged.length === 0) return event.rule === rule || event.blind ? [undefined] : [];
    return allowed ? judged.filter((s) => allowed.matching(s).length === 0) : judged;
  };
}

function violation(event: ReportEvent, rule: PolicyRule, subject: Subject | undefined, packageRules: boolean): Violation {
  // A privileged act is allowed by its kind, but told by what it did: `setuid 0`, `kill pid 12`.
  const told = subject && subject.type !== 'act' ? subjectText(subject) : event.subject;
  const line = formatSubjectLine(event.kind, event, told, { errno: event.errno, child: event.child, leftover: event.leftover, origin: event.origin });
  const pkg = event.origin?.package?.name;
  const lists = packageRules && pkg ? `allow.${rule} or packages.${pkg}.${rule}` : `allow.${rule}`;
  return { rule, kind: event.kind, subject: subject ? subjectText(subject) : event.subject, message: `${line}: not in ${lists}` };
}

/** Per npm package, per rule: whether a subject is in that package's allow-list. */
type PackageAllows = Map<string, Map<PolicyRule, (subject: Subject) => boolean>>;

function compilePackages(packages: Record<string, PolicyAllow> | undefined, tokens: TokenValues, source: string): PackageAllows {
  const out: PackageAllows = new Map();
  for (const [name, allow] of Object.entries(packages ?? {})) {
    const rules = new Map<PolicyRule, (subject: Subject) => boolean>();
    for (const [rule, patterns] of Object.entries(allow) as Array<[PolicyRule, string[]]>) {
      if (!patterns.length) continue;
      const compiled = compileSubjectPatterns(RULE_SUBJECT[rule], patterns, tokens, `${source}: packages.${name}.${rule}`);
      rules.set(rule, (subject) => compiled.matching(subject).length > 0);
    }
    out.set(name, rules);
  }
  return out;
}

function mergeAllow(...lists: Array<PolicyAllow | undefined>): PolicyAllow {
  const out: PolicyAllow = {};
  for (const allow of lists)
    for (const [rule, patterns] of Object.entries(allow ?? {}) as Array<[PolicyRule, string[]]>) out[rule] = [...(out[rule] ?? []), ...patterns];
  return out;
}

export interface FilePolicy {
  mode: PolicyMode;
  /** The rules it restricts (those it lists). */
  rules: readonly PolicyRule[];
  check(events: readonly ReportEvent[]): Violation[];
}

/** A policy compiled once per test file (overrides differ by file). */
export class PolicyChecker {
  private readonly cache = new Map<string, FilePolicy>();

  constructor(
    readonly policy: Policy,
    /** Where it came from, for messages: a file path or 'options'. */
    readonly source: string,
    private readonly tokens: TokenValues,
  ) {}

  /** For what no test file did (a runner's own process): the policy without
   * its overrides, what runners do on their own (runnerNoise) allowed, in
   * the policy's `runner` mode (default audit). */
  forRun(): FilePolicy {
    return this.cached('', 'run', () => this.compile('', runnerNoise(), this.policy.runner ?? 'audit'));
  }

  /** `file` absolute or relative to rootDir; '' for none. */
  forFile(file: string): FilePolicy {
    return this.cached(file, 'test', () => this.compile(this.relative(file)));
  }

  /** For what a test file did outside its tests: its policy, and its modules loaded (moduleNoise). */
  forFileOutsideTests(file: string): FilePolicy {
    return this.cached(file, 'file', () => this.compile(this.relative(file), moduleNoise()));
  }

  private relative(file: string): string {
    return file.startsWith('/') ? relative(this.tokens.rootDir, file) : file;
  }

  private cached(file: string, scope: string, compile: () => FilePolicy): FilePolicy {
    const key = `${scope}\0${this.relative(file)}`;
    let compiled = this.cache.get(key);
    if (!compiled) {
      compiled = compile();
      this.cache.set(key, compiled);
    }
    return compiled;
  }

  private compile(rel: string, extraNoise: PolicyAllow = {}, runnerMode?: PolicyMode): FilePolicy {
    const overrides = rel ? (this.policy.overrides ?? []).filter((o) => picomatch(o.files, { dot: true })(rel)) : [];
    const restricted = mergeAllow(this.policy.allow, ...overrides.map((o) => o.allow));
    const noise = this.policy.noise === false ? {} : mergeAllow(defaultNoise(), extraNoise);
    const mode = runnerMode ?? overrides.reduce<PolicyMode>((m, o) => o.mode ?? m, this.policy.mode ?? 'enforce');
    const rules = new Map<PolicyRule, Uncovered>();
    const packages = compilePackages(this.policy.packages, this.tokens, this.source);
    // An event's own package may allow what `allow` does not; an event with no package (provenance off) gets `allow` alone.
    const packageAllows = (event: ReportEvent, rule: PolicyRule, subject: Subject | undefined) => {
      const name = event.origin?.package?.name;
      return subject !== undefined && name !== undefined && (packages.get(name)?.get(rule)?.(subject) ?? false);
    };
    for (const [rule, patterns] of Object.entries(restricted) as Array<[PolicyRule, string[]]>)
      // Only categories the policy lists are restricted; noise widens those.
      rules.set(rule, compileUncovered(rule, [...patterns, ...(noise[rule] ?? [])], this.tokens, `${this.source}: allow.${rule}`));
    return {
      mode,
      rules: [...rules.keys()],
      check: (events) => {
        const violations: Violation[] = [];
        for (const event of events)
          for (const rule of rulesOfLine(event)) {
            const uncovered = rules.get(rule);
            if (uncovered)
              for (const subject of uncovered(event)) if (!packageAllows(event, rule, subject)) violations.push(violation(event, rule, subject, packages.size > 0));
            // One violation says a blind event fails the policy.
            if (event.blind && violations.length && violations[violations.length - 1]!.kind === event.kind) break;
          }
        return violations;
      },
    };
  }
}

/** The message a test fails with (or an audit reports). */
export function formatViolations(violations: readonly Violation[], source: string, mode: PolicyMode, where = 'this test'): string {
  const lines = violations.map((v) => `  ${v.message}`);
  const shown = lines.length > 20 ? [...lines.slice(0, 20), `  … and ${lines.length - 20} more`] : lines;
  return [
    `vivarium policy (${source}, ${mode}): ${violations.length} violation(s) in ${where}`,
    ...shown,
    mode === 'enforce' ? `(allow them in ${source}, or set "mode": "audit" to report without failing)` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
