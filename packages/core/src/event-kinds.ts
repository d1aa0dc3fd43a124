// What each kind of event means, once: one row per kind giving the policy
// rule it falls under, the subjects it carries and its one-line description.
// Matchers, policy evaluation, `vivarium learn`, the JSON and HTML reports and
// every message read this table; none of them switches on kinds.
//
// Adding a kind: its decoder (decode.ts) and its row here. The compiler
// refuses a table without a row for every EventKind.
import { EVENT_KINDS, type EventKind, type FileOpenEvent, type VivariumEvent } from './events.js';
import type { Subject, SubjectType, SubjectValues } from './subjects.js';

/** The policy rules, as allow-lists are keyed in vivarium.policy.json. */
export const POLICY_RULES = ['read', 'write', 'exec', 'connect', 'resolve', 'privileged', 'env', 'load', 'http'] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

/** The kinds seen through uprobes (vivariumd's uprobe table): unavailable
 * for a worker where they could not be attached, or its code rewritten. */
export const UPROBE_FED_KINDS = ['env', 'load', 'http'] as const satisfies readonly EventKind[];

/** The subject of a read of every environment variable at once. */
export const ALL_VARIABLES = '(all)';
const ENVIRON_FILE = /^\/proc\/[^/]+\/(task\/\d+\/)?environ$/;

/** A successful open of a process's environment file (/proc/self/environ):
 * every variable read without getenv. */
export function readsEnvironFile(e: VivariumEvent): boolean {
  return e.kind === 'file_open' && e.result >= 0 && ENVIRON_FILE.test(e.path);
}

/** What each rule's allow-list holds patterns for. */
export const RULE_SUBJECT: { readonly [R in PolicyRule]: SubjectType } = {
  read: 'path',
  write: 'path',
  exec: 'program',
  connect: 'endpoint',
  resolve: 'host',
  http: 'request',
  privileged: 'act',
  env: 'variable',
  load: 'library',
};

/** An event in words: `open (read) /etc/hosts`, `exec /usr/bin/ls  ["ls","-l"]`. */
export interface Description {
  /** The subject as text: a path, an endpoint, a host name, 'pid 12'. */
  subject: string;
  /** How or with what: the access of an open, argv, a mode, the new path of a rename. */
  detail?: string;
  /** The path as asked for, when the kernel resolved it to another (a symlink, `sh` run as /usr/bin/dash). */
  requested?: string;
}

/** The event type of a kind (`PathEvent` for 'unlink'). */
export type EventOf<K extends EventKind> = VivariumEvent extends infer E ? (E extends { kind: infer EK } ? (K extends EK ? E : never) : never) : never;

export interface KindRow<E extends VivariumEvent> {
  /** The rule the event falls under; undefined: no rule governs it. A privileged
   * kind's rule is the constant 'privileged', and its act is then a subject. */
  rule: PolicyRule | undefined | ((event: E) => PolicyRule | undefined);
  /** The subjects it carries, by type (both paths of a rename). */
  subjects: { readonly [T in Exclude<SubjectType, 'act'>]?: (event: E) => Array<SubjectValues[T]> };
  describe(event: E): Description;
  /** The first word of its line (default: the kind). */
  verb?: string;
  /** The detail qualifies the verb: `open (read) /etc/hosts`, not `open /etc/hosts  read`. */
  detailFirst?: true;
  /** Whether the attempt succeeded (default: result >= 0). */
  succeeded?(event: E): boolean;
  /** What the backend could not observe: it fails every check (every rule,
   * every *Outside matcher), since it could hide anything. */
  blind?: true;
}

/** read, write, read-write, and what an open may do besides: 'write+create+truncate'. */
const openHow = (e: FileOpenEvent) =>
  [e.access, e.create && 'create', e.truncate && 'truncate', e.append && 'append'].filter(Boolean).join('+');

/** An open that may change the file: write access, create or truncate. */
export const opensToWrite = (e: FileOpenEvent) => e.access !== 'read' || e.create || e.truncate;

const requestedIfOther = (e: { path: string; requestedPath: string }) => (e.requestedPath !== e.path ? { requested: e.requestedPath } : {});
const octal = (mode: number) => mode.toString(8).padStart(4, '0');
/** A path the kernel could not resolve for an attempt that succeeded is no
 * subject at all: nothing allows it, so every check of its rule fails. */
type Walked = { path: string; unresolved: boolean; result: number };
const walked = (e: Walked, paths: string[]) => (e.unresolved && e.result >= 0 ? [] : paths);
const onePath = { path: (e: Walked) => walked(e, [e.path]) };
const pathOnly = (e: { path: string }) => ({ subject: e.path });
const pathAndMode = (e: { path: string; mode: number }) => ({ subject: e.path, detail: octal(e.mode) });
const twoPaths = { path: (e: Walked & { to: string }) => walked(e, [e.path, e.to]) };
const pathToPath = (e: { path: string; to: string }) => ({ subject: e.path, detail: `→ ${e.to}` });
/** A privileged act of its own kind: judged by its kind; described by its call. */
const act = {
  rule: 'privileged',
  subjects: {},
  describe: (e: { kind: EventKind; syscall: string; args: number[]; path: string }) => ({
    subject: e.path || e.args.join(', '),
    ...(e.syscall !== e.kind ? { detail: e.syscall } : {}),
  }),
} as const;

export const EVENT_KIND_TABLE: { readonly [K in EventKind]: KindRow<EventOf<K>> } = {
  file_open: {
    rule: (e) => (opensToWrite(e) ? 'write' : 'read'),
    // /proc/<pid>/environ holds every variable: reading it is an env read of them all.
    subjects: { ...onePath, variable: (e) => (readsEnvironFile(e) ? [ALL_VARIABLES] : []) },
    describe: (e) => ({ subject: e.path, detail: openHow(e), ...requestedIfOther(e) }),
    verb: 'open',
    detailFirst: true,
  },
  exec: {
    // A failed PATH lookup ran nothing: not an attempt to run a program.
    rule: (e) => (e.errno === 'ENOENT' || e.errno === 'ENOTDIR' ? undefined : 'exec'),
    subjects: { program: (e) => [{ path: e.path, requested: e.requestedPath }] },
    describe: (e) => ({ subject: e.path, ...(e.argv.length ? { detail: JSON.stringify(e.argv) } : {}), ...requestedIfOther(e) }),
  },
  connect: {
    // connect(AF_UNSPEC) dissolves an association: it reaches nobody.
    rule: (e) => (e.endpoint.family === 'unspec' ? undefined : 'connect'),
    subjects: { endpoint: (e) => [e.endpoint] },
    describe: (e) => ({ subject: e.endpoint.text }),
    // A non-blocking connect still in progress counts.
    succeeded: (e) => e.result >= 0 || e.errno === 'EINPROGRESS',
  },
  // A datagram with a destination (UDP, raw, Unix) or TCP fast open reaches
  // its endpoint without connect(): judged as a connect.
  send: { rule: 'connect', subjects: { endpoint: (e) => [e.endpoint] }, describe: (e) => ({ subject: e.endpoint.text }) },
  dns: {
    // A query whose name could not be read (cut, compressed) has no host:
    // nothing can allow it. A query that named its resolver reached it
    // without connect(): the resolver is judged as a connect too.
    rule: 'resolve',
    subjects: { host: (e) => (e.name ? [e.name] : []), endpoint: (e) => (e.addressed ? [e.server] : []) },
    describe: (e) => ({ subject: e.name || '(unparsed)', detail: `${e.type || '?'} via ${e.server.text}` }),
  },
  http: {
    // A write that only opened an HTTP/2 connection requested nothing.
    rule: (e) => (e.requests.length ? 'http' : undefined),
    subjects: { request: (e) => e.requests },
    describe: (e) => ({
      subject: e.requests.map((r) => r.text).join(', ') || '(connection preface)',
      detail: [e.protocol, ...e.requests.filter((r) => r.unknown).map((r) => `unknown: ${r.unknown}`)].join('; '),
    }),
    verb: 'request',
  },
  unobservable: { rule: undefined, subjects: {}, describe: (e) => ({ subject: e.syscall, detail: e.reason }), blind: true },
  unlink: { rule: 'write', subjects: onePath, describe: pathOnly },
  truncate: { rule: 'write', subjects: onePath, describe: (e) => ({ subject: e.path, detail: e.syscall }) },
  utime: { rule: 'write', subjects: onePath, describe: (e) => ({ subject: e.path, detail: e.syscall }) },
  xattr: { rule: 'write', subjects: onePath, describe: (e) => ({ subject: e.path, detail: `${e.remove ? 'remove' : 'set'} ${e.name}` }) },
  mknod: { rule: 'write', subjects: onePath, describe: pathAndMode },
  rmdir: { rule: 'write', subjects: onePath, describe: pathOnly },
  mkdir: { rule: 'write', subjects: onePath, describe: pathAndMode },
  chmod: { rule: 'write', subjects: onePath, describe: pathAndMode },
  chown: { rule: 'write', subjects: onePath, describe: (e) => ({ subject: e.path, detail: `${e.uid}:${e.gid}` }) },
  rename: { rule: 'write', subjects: twoPaths, describe: pathToPath },
  link: { rule: 'write', subjects: twoPaths, describe: pathToPath },
  // The link is the path; its target is text, never resolved.
  symlink: { rule: 'write', subjects: onePath, describe: (e) => ({ subject: e.path, detail: `→ ${e.target}` }) },
  mount: {
    rule: 'privileged',
    subjects: onePath,
    describe: (e) => ({ subject: e.path, detail: e.unmount ? 'unmount' : `${e.fstype || '?'} from ${e.source || '?'}` }),
  },
  setuid: { rule: 'privileged', subjects: {}, describe: (e) => ({ subject: e.ids.join(', ') }) },
  setgid: { rule: 'privileged', subjects: {}, describe: (e) => ({ subject: e.ids.join(', ') }) },
  ptrace: { rule: 'privileged', subjects: {}, describe: (e) => ({ subject: `pid ${e.targetPid}`, detail: `request ${e.request}` }) },
  kill: { rule: 'privileged', subjects: {}, describe: (e) => ({ subject: `pid ${e.targetPid}`, detail: `signal ${e.signal}` }) },
  capset: act,
  setgroups: act,
  unshare: act,
  setns: act,
  chroot: act,
  pivot_root: act,
  bpf: act,
  module: act,
  process_vm: act,
  perf_event: act,
  kexec: act,
  reboot: act,
  pidfd_getfd: act,
  // Reads and changes alike: a test that depends on a variable, or sets one, shows it.
  env: {
    rule: 'env',
    subjects: { variable: (e) => (e.name ? [e.name] : []) },
    // No name: clearenv (all of them), or one in a page not in memory when the uprobe ran.
    describe: (e) => ({ subject: e.name || (e.op === 'clearenv' ? ALL_VARIABLES : '(name not readable)'), detail: e.op }),
    verb: 'env',
  },
  load: { rule: 'load', subjects: { library: (e) => [e.path] }, describe: (e) => ({ subject: e.path, ...(e.how !== 'dlopen' ? { detail: e.how } : {}) }) },
  // A listing reads the directory: judged as a read of its path.
  list: { rule: 'read', subjects: onePath, describe: pathOnly },
  socket: { rule: 'privileged', subjects: {}, describe: (e) => ({ subject: `${e.family} ${e.type}`, ...(e.protocol ? { detail: `protocol ${e.protocol}` } : {}) }) },
  fork: { rule: undefined, subjects: {}, describe: (e) => ({ subject: `pid ${e.childPid}` }) },
  exit: { rule: undefined, subjects: {}, describe: (e) => ({ subject: `pid ${e.pid}`, detail: `status ${e.status}` }) },
};

/** The row of a kind, for any event of it. (TypeScript cannot pair a kind
 * with its event type across the union: this is the one place that says so.) */
export function kindRow(kind: EventKind): KindRow<VivariumEvent> {
  return EVENT_KIND_TABLE[kind] as KindRow<VivariumEvent>;
}

/** The rule the event falls under, or undefined when no rule governs it. */
export function ruleOf(event: VivariumEvent): PolicyRule | undefined {
  const { rule } = kindRow(event.kind);
  return typeof rule === 'function' ? rule(event) : rule;
}

/** The rule that judges one subject of an event: none when the event falls
 * under no rule (a disconnect, a failed PATH lookup); paths by the event's
 * own rule (a read or a write); every other type by its rule (an endpoint is
 * judged as a connect wherever it appears). */
export function ruleOfSubject(eventRule: PolicyRule | undefined, subject: Subject): PolicyRule | undefined {
  if (!eventRule) return undefined;
  if (subject.type !== 'path') return SUBJECT_RULE[subject.type];
  return eventRule === 'read' || eventRule === 'write' ? eventRule : undefined;
}

const SUBJECT_RULE = Object.fromEntries(
  (Object.entries(RULE_SUBJECT) as Array<[PolicyRule, SubjectType]>).filter(([rule]) => rule !== 'read' && rule !== 'write').map(([rule, type]) => [type, rule]),
) as Partial<Record<SubjectType, PolicyRule>>;

/** Every rule an event of the kind can fall under: its rule, or, when that
 * depends on the event, the rules judging the subject types it carries. */
export function rulesOfKind(kind: EventKind): PolicyRule[] {
  const { rule } = kindRow(kind);
  if (typeof rule === 'string') return [rule];
  if (rule === undefined) return [];
  const types = subjectTypesOf(kind);
  return POLICY_RULES.filter((r) => types.includes(RULE_SUBJECT[r]));
}

/** Whether the backend could not observe what the event stands for. */
export function isBlind(event: { kind: EventKind }): boolean {
  return kindRow(event.kind).blind === true;
}

/** Every rule that judges the event: its own, and those of its subjects
 * (all of them for a blind one). */
export function rulesOf(event: VivariumEvent): PolicyRule[] {
  if (isBlind(event)) return [...POLICY_RULES];
  const own = ruleOf(event);
  const rules = new Set<PolicyRule>(own ? [own] : []);
  for (const subject of subjectsOf(event)) {
    const rule = ruleOfSubject(own, subject);
    if (rule) rules.add(rule);
  }
  return [...rules];
}

/** Every subject of the event, its privileged act last. */
export function subjectsOf(event: VivariumEvent): Subject[] {
  const row = kindRow(event.kind);
  const subjects: Subject[] = [];
  for (const [type, values] of Object.entries(row.subjects) as Array<[SubjectType, (e: VivariumEvent) => unknown[]]>)
    for (const value of values(event)) subjects.push({ type, value } as Subject);
  if (row.rule === 'privileged') subjects.push({ type: 'act', value: event.kind });
  return subjects;
}

export function describeEvent(event: VivariumEvent): Description {
  return kindRow(event.kind).describe(event);
}

/** Whether the attempt succeeded. */
export function succeeded(event: VivariumEvent): boolean {
  const row = kindRow(event.kind);
  return row.succeeded ? row.succeeded(event) : event.result >= 0;
}

/** The subject types a kind carries, in subjectsOf's order. */
export function subjectTypesOf(kind: EventKind): SubjectType[] {
  const row = kindRow(kind);
  return [...(Object.keys(row.subjects) as SubjectType[]), ...(row.rule === 'privileged' ? (['act'] as const) : [])];
}

/** The kinds whose every event is a privileged act: what allow.privileged may list. */
export const PRIVILEGED_KINDS: readonly EventKind[] = EVENT_KINDS.filter((kind) => kindRow(kind).rule === 'privileged');
