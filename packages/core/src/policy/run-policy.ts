// The policy of a run: an inline object (adapter options, passed to workers
// as VIVARIUM_POLICY_JSON), else $VIVARIUM_POLICY, else
// <rootDir>/vivarium.policy.json. None: tests are not sandbox checks.
import { PolicyChecker } from './evaluate.js';
import { findPolicyFile, readPolicyFile, validatePolicy } from './policy-file.js';
import { currentTokens } from './tokens.js';

export const POLICY_JSON_ENV = 'VIVARIUM_POLICY_JSON';

export function loadRunPolicy(rootDir: string, inline?: unknown): PolicyChecker | undefined {
  const tokens = currentTokens(rootDir);
  const json = inline ?? (process.env[POLICY_JSON_ENV] ? JSON.parse(process.env[POLICY_JSON_ENV]!) : undefined);
  if (json !== undefined) {
    if (typeof json === 'string') return new PolicyChecker(readPolicyFile(json, tokens), json, tokens);
    return new PolicyChecker(validatePolicy(json, 'policy option', tokens), 'policy option', tokens);
  }
  const file = findPolicyFile(rootDir);
  return file ? new PolicyChecker(readPolicyFile(file, tokens), file, tokens) : undefined;
}
