// Run-wide sandbox policy: allow-lists per category, checked against every
// test's events. See policy/policy-file.ts for the file format and loading.
// The rules themselves (read, write, exec, ...) and which events fall under
// each are the kind table's (event-kinds.ts).
import type { PolicyRule } from '../event-kinds.js';

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
  /** How the runner's own record is judged (its globalSetup, config, starting
   * workers): reported always, failing the run only when 'enforce'. Default
   * 'audit': runners do things of their own that differ by version. */
  runner?: PolicyMode;
  /** Include the default noise list (what Node and the runners open on their own); default true. */
  noise?: boolean;
  allow: PolicyAllow;
  overrides?: PolicyOverride[];
  /** Allow-lists per npm package (by name), for events whose JS call site is in
   * that package (provenance): what only that dependency may do. They add to
   * `allow` for that package's events; events with no package get `allow` alone. */
  packages?: Record<string, PolicyAllow>;
  /** Written by `vivarium learn`, ignored when checking: per rule and entry,
   * which tests and which packages needed it. */
  why?: PolicyWhy;
}

/** Why a learned entry is there: the tests that needed it and the packages whose code did it. */
export interface EntryReason {
  tests: string[];
  /** 'name@version' of the packages behind it; 'the project' for the project's own code. */
  packages: string[];
}

export type PolicyWhy = Partial<Record<PolicyRule, Record<string, EntryReason>>>;
