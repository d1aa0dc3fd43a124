// Run-wide sandbox policy: allow-lists per category, checked against every
// test's events. See policy/policy-file.ts for the file format and loading.
import type { EventKind } from '../events.js';

export const POLICY_RULES = ['read', 'write', 'exec', 'connect', 'resolve', 'privileged'] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

export type PolicyMode = 'enforce' | 'audit';

/** Allow-lists; a rule that is absent does not restrict its category. */
export type PolicyAllow = Partial<Record<PolicyRule, string[]>>;

export interface PolicyOverride {
  /** Test files this applies to: globs relative to rootDir. */
  files: string[];
  /** Added to the base allow-lists for those files. */
  allow?: PolicyAllow;
  mode?: PolicyMode;
}

export interface Policy {
  mode?: PolicyMode;
  /** Include the default noise list (what Node and the runners open on their own); default true. */
  noise?: boolean;
  allow: PolicyAllow;
  overrides?: PolicyOverride[];
}

/** An event a policy does not allow. */
export interface Violation {
  rule: PolicyRule;
  kind: EventKind;
  /** The path, program, endpoint or host that was not allowed. */
  subject: string;
  /** One line: what happened and which rule refused it. */
  message: string;
}
