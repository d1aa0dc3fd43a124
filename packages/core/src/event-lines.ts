// A test's events as lines: each classified once by the kind table (its rule,
// its typed subjects, its description), identical ones folded with a count,
// and a policy's verdict on them. What the policy judges, what the report
// stores, what `vivarium check` and `vivarium learn` read back without
// parsing any text. Shared by policy/ and report/, so neither imports the other.
import { POLICY_RULES, type PolicyRule, describeEvent, isBlind, ruleOf, ruleOfSubject, subjectsOf } from './event-kinds.js';
import type { EventKind, Leftover, VivariumEvent } from './events.js';
import { failureOf } from './format.js';
import type { Origin } from './provenance/origin.js';
import type { Subject } from './subjects.js';

/** What a record is besides a test: what its file did outside its tests
 * (collection, beforeAll/afterAll hooks, between tests), or what the runner's
 * own process did (globalSetup, config, starting workers; file '(runner)'). */
export type RecordScope = 'file' | 'run';

/** One line of a test's activity; identical events are folded with a count. */
export interface ReportEvent {
  kind: EventKind;
  /** The policy rule it falls under; absent when none does (fork, a failed PATH lookup). */
  rule?: PolicyRule;
  /** What it acted on, typed (both paths of a rename): what the rule's allow-list must cover. */
  subjects: Subject[];
  /** The main subject as text: a path, program, endpoint ('127.0.0.1:5432', 'unix:/x'), host name, 'pid 12'. */
  subject: string;
  /** How or with what: the access of an open ('read', 'write+create'), argv of an exec, '→ /new' of a rename, ... */
  detail?: string;
  /** The path as requested, when it differs from the subject (a symlink, `sh` for /usr/bin/dash). */
  requested?: string;
  /** errno name when the attempt failed. */
  errno?: string;
  /** Done by a child process of the worker. */
  child?: boolean;
  /** What the backend could not observe: no allow-list covers it. */
  blind?: true;
  /** Done by a process started in an earlier window: who, and where it started. */
  leftover?: Leftover;
  /** The JS call that did it, with provenance on: call site, npm package, a short stack. */
  origin?: Origin;
  count: number;
}

/** An event a policy does not allow. */
export interface Violation {
  rule: PolicyRule;
  kind: EventKind;
  /** The path, program, endpoint, host or privileged act that was not allowed. */
  subject: string;
  /** One line: what happened and which rule refused it. */
  message: string;
}

/** The subjects of a line that a rule judges (both paths of a rename for
 * `write`; a resolver named by a DNS query for `connect`). */
export function judgedSubjects(event: Pick<ReportEvent, 'subjects' | 'rule'>, rule: PolicyRule): Subject[] {
  return event.subjects.filter((s) => ruleOfSubject(event.rule, s) === rule);
}

/** Every rule that judges a line: its own and its subjects' (all of them for a blind one). */
export function rulesOfLine(event: Pick<ReportEvent, 'subjects' | 'rule' | 'blind'>): PolicyRule[] {
  if (event.blind) return [...POLICY_RULES];
  const rules = new Set<PolicyRule>(event.rule ? [event.rule] : []);
  for (const subject of event.subjects) {
    const rule = ruleOfSubject(event.rule, subject);
    if (rule) rules.add(rule);
  }
  return [...rules];
}

/** Report lines, in first-seen order, identical events counted: built up
 * from events as they are drained (a run's main process drains for its whole run). */
export class ReportLines {
  private readonly folded = new Map<string, ReportEvent>();

  add(events: readonly VivariumEvent[]): this {
    for (const event of events) {
      const { subject, detail, requested } = describeEvent(event);
      const rule = ruleOf(event);
      const subjects = subjectsOf(event);
      const errno = failureOf(event);
      // The description names every subject, but for an unparsed DNS name (no subject): hence the count.
      const { leftover, origin } = event;
      const site = origin?.site ? `${origin.api}\0${origin.site.file}:${origin.site.line}:${origin.site.column}` : (origin?.api ?? '');
      const key = `${site}\0${event.kind}\0${rule ?? ''}\0${subject}\0${detail ?? ''}\0${requested ?? ''}\0${errno ?? ''}\0${event.child ? 1 : 0}\0${subjects.length}\0${leftover ? `${leftover.pid}\0${leftover.startedIn}` : ''}`;
      const seen = this.folded.get(key);
      if (seen) seen.count++;
      else
        this.folded.set(key, {
          kind: event.kind,
          ...(rule ? { rule } : {}),
          subjects,
          subject,
          ...(detail ? { detail } : {}),
          ...(requested ? { requested } : {}),
          ...(errno ? { errno } : {}),
          ...(event.child ? { child: true } : {}),
          ...(isBlind(event) ? { blind: true as const } : {}),
          ...(leftover ? { leftover } : {}),
          ...(origin ? { origin } : {}),
          count: 1,
        });
    }
    return this;
  }

  get lines(): ReportEvent[] {
    return [...this.folded.values()];
  }
}

/** Report lines for the events, in first-seen order, identical ones counted. */
export function toReportEvents(events: readonly VivariumEvent[]): ReportEvent[] {
  return new ReportLines().add(events).lines;
}
