// One pattern compiler per subject type, and patterns applied to subjects:
// what toTrigger, policy files and policy checks use, whatever the kind.
import { PRIVILEGED_KINDS } from '../event-kinds.js';
import type { EventKind } from '../events.js';
import type { Subject, SubjectType, SubjectValues } from '../subjects.js';
import { compileEndpointPatterns } from './endpoint-patterns.js';
import { compileHostPatterns } from './host-patterns.js';
import { compileLibraryPatterns, compileVariablePatterns } from './name-patterns.js';
import { type PatternCompiler, type SubjectPatterns, compilePathPatterns, patternList } from './path-patterns.js';
import { compileProgramPatterns } from './program-patterns.js';
import { compileRequestPatterns } from './request-patterns.js';

/** Privileged acts are allowed by kind name: 'setuid', 'mount'. */
export const compileActPatterns: PatternCompiler<EventKind> = (value, _tokens, what) => {
  const patterns = patternList(value, what);
  for (const kind of patterns)
    if (!(PRIVILEGED_KINDS as readonly string[]).includes(kind))
      throw new TypeError(`vivarium: ${what}: '${kind}' is not a privileged event kind (one of ${PRIVILEGED_KINDS.join(', ')})`);
  return { patterns, matching: (act) => (patterns.includes(act) ? [act] : []) };
};

export const SUBJECT_COMPILERS: { readonly [T in SubjectType]: PatternCompiler<SubjectValues[T]> } = {
  path: compilePathPatterns,
  program: compileProgramPatterns,
  endpoint: compileEndpointPatterns,
  host: compileHostPatterns,
  request: compileRequestPatterns,
  act: compileActPatterns,
  variable: compileVariablePatterns,
  library: compileLibraryPatterns,
};

/** Patterns for subjects of `type`; a subject of another type matches none of them. */
export function compileSubjectPatterns(type: SubjectType, ...args: Parameters<PatternCompiler<unknown>>): SubjectPatterns<Subject> {
  const compiled = SUBJECT_COMPILERS[type](...args) as SubjectPatterns<unknown>;
  return { patterns: compiled.patterns, matching: (subject) => (subject.type === type ? compiled.matching(subject.value) : []) };
}
