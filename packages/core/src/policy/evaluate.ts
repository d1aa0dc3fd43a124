// Checking report lines against a policy: which rule each event falls
// under, and whether its allow-list covers it.
import { relative } from 'node:path';
import picomatch from 'picomatch';
import type { ConnectEvent, DnsEvent, ExecEvent } from '../events.js';
import type { ReportEvent } from '../report/types.js';
import { compileEndpointPatterns } from './endpoint-patterns.js';
import { compileHostPatterns } from './host-patterns.js';
import { defaultNoise } from './noise.js';
import { compilePathPatterns } from './path-patterns.js';
import type { Policy, PolicyAllow, PolicyMode, PolicyRule, Violation } from './policy.js';
import { compileProgramPatterns } from './program-patterns.js';
import type { TokenValues } from './tokens.js';

const WRITE_KINDS = new Set(['unlink', 'rmdir', 'mkdir', 'rename', 'link', 'symlink', 'chmod', 'chown']);
const PRIVILEGED_KINDS = new Set(['setuid', 'setgid', 'ptrace', 'kill', 'mount']);

/** The rule an event falls under, or undefined for events no rule governs. */
export function ruleOf(event: ReportEvent): PolicyRule | undefined {
  switch (event.kind) {
    case 'file_open':
      return /write|create|truncate/.test(event.detail ?? '') ? 'write' : 'read';
    case 'exec':
      return event.errno === 'ENOENT' || event.errno === 'ENOTDIR' ? undefined : 'exec';
    case 'connect':
      return event.endpoint && event.endpoint.family !== 'unspec' ? 'connect' : undefined;
    case 'dns':
      return event.subject ? 'resolve' : undefined;
    default:
      if (WRITE_KINDS.has(event.kind)) return 'write';
      return PRIVILEGED_KINDS.has(event.kind) ? 'privileged' : undefined;
  }
}

/** The subjects of an event a rule must cover (two paths for rename and link). */
function subjects(event: ReportEvent, rule: PolicyRule): string[] {
  if (rule === 'write' && (event.kind === 'rename' || event.kind === 'link') && event.detail) return [event.subject, event.detail];
  if (rule === 'privileged') return [event.kind];
  return [event.subject];
}

type Covers = (event: ReportEvent) => string[];

/** For one rule: the subjects of `event` its patterns do not allow. */
function compileCovers(rule: PolicyRule, patterns: string[], tokens: TokenValues, what: string): Covers {
  switch (rule) {
    case 'read':
    case 'write': {
      const m = compilePathPatterns(patterns, tokens, what);
      return (e) => subjects(e, rule).filter((s) => m.match(s) === undefined);
    }
    case 'exec': {
      const m = compileProgramPatterns(patterns, tokens, what);
      return (e) => (m.matching({ path: e.subject, requestedPath: e.requested ?? e.subject } as ExecEvent).length ? [] : [e.subject]);
    }
    case 'connect': {
      const m = compileEndpointPatterns(patterns, what, tokens);
      return (e) => (m.matching({ endpoint: e.endpoint } as ConnectEvent).length ? [] : [e.subject]);
    }
    case 'resolve': {
      const m = compileHostPatterns(patterns, what);
      return (e) => (m.matching({ name: e.subject } as DnsEvent).length ? [] : [e.subject]);
    }
    case 'privileged':
      return (e) => (patterns.includes(e.kind) ? [] : [e.kind]);
  }
}

function mergeAllow(...lists: Array<PolicyAllow | undefined>): PolicyAllow {
  const out: PolicyAllow = {};
  for (const allow of lists)
    for (const [rule, patterns] of Object.entries(allow ?? {}) as Array<[PolicyRule, string[]]>) out[rule] = [...(out[rule] ?? []), ...patterns];
  return out;
}

export interface FilePolicy {
  mode: PolicyMode;
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

  /** `file` absolute or relative to rootDir. */
  forFile(file: string): FilePolicy {
    const rel = file.startsWith('/') ? relative(this.tokens.rootDir, file) : file;
    let compiled = this.cache.get(rel);
    if (!compiled) {
      compiled = this.compile(rel);
      this.cache.set(rel, compiled);
    }
    return compiled;
  }

  private compile(rel: string): FilePolicy {
    const overrides = (this.policy.overrides ?? []).filter((o) => picomatch(o.files, { dot: true })(rel));
    const restricted = mergeAllow(this.policy.allow, ...overrides.map((o) => o.allow));
    const noise = this.policy.noise === false ? {} : defaultNoise();
    const mode = overrides.reduce<PolicyMode>((m, o) => o.mode ?? m, this.policy.mode ?? 'enforce');
    const rules = new Map<PolicyRule, Covers>();
    for (const [rule, patterns] of Object.entries(restricted) as Array<[PolicyRule, string[]]>) {
      // Only categories the policy lists are restricted; noise widens those.
      const all = [...patterns, ...(noise[rule] ?? [])];
      rules.set(rule, all.length ? compileCovers(rule, all, this.tokens, `${this.source}: allow.${rule}`) : (e) => subjects(e, rule));
    }
    return {
      mode,
      check: (events) => {
        const violations: Violation[] = [];
        for (const event of events) {
          const rule = ruleOf(event);
          const covers = rule && rules.get(rule);
          if (!rule || !covers) continue;
          for (const subject of covers(event))
            violations.push({
              rule,
              kind: event.kind,
              subject,
              message: `${event.kind === 'file_open' ? `open (${event.detail})` : event.kind} ${subject}${event.errno ? ` ${event.errno}` : ''}${event.child ? ' [child]' : ''}: not in allow.${rule}`,
            });
        }
        return violations;
      },
    };
  }
}

/** The message a test fails with (or an audit reports). */
export function formatViolations(violations: readonly Violation[], source: string, mode: PolicyMode): string {
  const lines = violations.map((v) => `  ${v.message}`);
  const shown = lines.length > 20 ? [...lines.slice(0, 20), `  … and ${lines.length - 20} more`] : lines;
  return [
    `vivarium policy (${source}, ${mode}): ${violations.length} violation(s) in this test`,
    ...shown,
    mode === 'enforce' ? `(allow them in ${source}, or set "mode": "audit" to report without failing)` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
