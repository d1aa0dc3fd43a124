// vivarium.policy.json: reading, validating (every pattern is compiled, so a
// typo fails the run at start, naming the rule), and finding it.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { POLICY_RULES, type PolicyRule, RULE_SUBJECT } from '../event-kinds.js';
import { describe } from './path-patterns.js';
import type { Policy, PolicyMode, PolicyAllow } from './policy.js';
import { compileSubjectPatterns } from './subject-patterns.js';
import type { TokenValues } from './tokens.js';

export const POLICY_FILE = 'vivarium.policy.json';

function fail(source: string, what: string): never {
  throw new TypeError(`vivarium: ${source}: ${what}`);
}

function checkKeys(value: object, allowed: readonly string[], where: string, source: string): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) fail(source, `unknown key '${key}' in ${where} (expected ${allowed.join(', ')})`);
}

/** Compiles every pattern of the rule so bad ones are reported up front. */
export function compileRule(rule: PolicyRule, patterns: string[], tokens: TokenValues, what: string): void {
  compileSubjectPatterns(RULE_SUBJECT[rule], patterns, tokens, what);
}

function validateAllow(value: unknown, where: string, source: string, tokens: TokenValues): PolicyAllow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(source, `${where} must be an object of allow-lists`);
  checkKeys(value, POLICY_RULES, where, source);
  const allow: PolicyAllow = {};
  for (const [rule, patterns] of Object.entries(value) as Array<[PolicyRule, unknown]>) {
    if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string'))
      fail(source, `${where}.${rule} must be an array of strings, got ${describe(patterns)}`);
    if (patterns.length) compileRule(rule, patterns as string[], tokens, `${source}: ${where}.${rule}`);
    allow[rule] = patterns as string[];
  }
  return allow;
}

/** A checked Policy from parsed JSON (or an options object). */
export function validatePolicy(value: unknown, source: string, tokens: TokenValues): Policy {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(source, 'a policy must be a JSON object');
  checkKeys(value, ['$schema', 'mode', 'runner', 'noise', 'allow', 'overrides', 'packages', 'why'], 'the policy', source);
  const v = value as Record<string, unknown>;
  if (v.mode !== undefined && v.mode !== 'enforce' && v.mode !== 'audit') fail(source, `mode must be 'enforce' or 'audit', got ${describe(v.mode)}`);
  if (v.runner !== undefined && v.runner !== 'enforce' && v.runner !== 'audit') fail(source, `runner must be 'enforce' or 'audit', got ${describe(v.runner)}`);
  if (v.noise !== undefined && typeof v.noise !== 'boolean') fail(source, `noise must be true or false, got ${describe(v.noise)}`);
  const policy: Policy = { allow: validateAllow(v.allow ?? {}, 'allow', source, tokens) };
  if (v.mode) policy.mode = v.mode as Policy['mode'] & string;
  if (v.runner) policy.runner = v.runner as PolicyMode;
  if (v.noise !== undefined) policy.noise = v.noise as boolean;
  if (v.packages !== undefined) {
    if (typeof v.packages !== 'object' || v.packages === null || Array.isArray(v.packages))
      fail(source, `packages must be an object of allow-lists by npm package name ({ "rc": { "read": ["<home>/.npmrc"] } }), got ${describe(v.packages)}`);
    policy.packages = Object.fromEntries(Object.entries(v.packages).map(([name, allow]) => [name, validateAllow(allow, `packages.${name}`, source, tokens)]));
  }
  // `why` (written by vivarium learn) explains entries; nothing checks by it.
  if (v.why !== undefined && (typeof v.why !== 'object' || v.why === null || Array.isArray(v.why))) fail(source, `why must be an object (vivarium learn writes it), got ${describe(v.why)}`);
  if (v.overrides !== undefined) {
    if (!Array.isArray(v.overrides)) fail(source, 'overrides must be an array');
    policy.overrides = v.overrides.map((o: unknown, i) => {
      const where = `overrides[${i}]`;
      if (typeof o !== 'object' || o === null) fail(source, `${where} must be an object`);
      checkKeys(o, ['files', 'allow', 'mode'], where, source);
      const ov = o as Record<string, unknown>;
      if (!Array.isArray(ov.files) || ov.files.length === 0 || ov.files.some((f) => typeof f !== 'string'))
        fail(source, `${where}.files must be a non-empty array of globs relative to rootDir`);
      if (ov.mode !== undefined && ov.mode !== 'enforce' && ov.mode !== 'audit') fail(source, `${where}.mode must be 'enforce' or 'audit'`);
      return {
        files: ov.files as string[],
        ...(ov.allow !== undefined ? { allow: validateAllow(ov.allow, `${where}.allow`, source, tokens) } : {}),
        ...(ov.mode !== undefined ? { mode: ov.mode as 'enforce' | 'audit' } : {}),
      };
    });
  }
  return policy;
}

export function readPolicyFile(path: string, tokens: TokenValues): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new TypeError(`vivarium: cannot read policy ${path} (check VIVARIUM_POLICY or the policy option)`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TypeError(`vivarium: ${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return validatePolicy(json, path, tokens);
}

/** $VIVARIUM_POLICY, else <rootDir>/vivarium.policy.json if present. */
export function findPolicyFile(rootDir: string): string | undefined {
  const fromEnv = process.env.VIVARIUM_POLICY;
  if (fromEnv) return isAbsolute(fromEnv) ? fromEnv : resolve(rootDir, fromEnv);
  const candidate = join(rootDir, POLICY_FILE);
  return existsSync(candidate) ? candidate : undefined;
}
