// `vivarium learn`: a policy that allows exactly what a recorded run did,
// generalised only where it is safe — files under the temp dir become
// <tmp>/** (each run makes new temp dirs), loopback servers' ports become *
// (they listen on port 0) — and written with tokens so it holds on every
// machine. It never widens to a system directory on its own. Stable order,
// so it diffs well in a pull request.
import { relative } from 'node:path';
import type { Report, ReportEvent } from '../report/types.js';
import { PolicyChecker, ruleOf } from './evaluate.js';
import type { Policy, PolicyRule } from './policy.js';
import type { TokenValues } from './tokens.js';

function under(path: string, dir: string): string | undefined {
  if (!dir || dir === '/') return undefined;
  if (path === dir) return '';
  return path.startsWith(`${dir}/`) ? relative(dir, path) : undefined;
}

/** A path written with the most specific token that holds it. */
function tokenised(path: string, tokens: TokenValues): string {
  const tmp = under(path, tokens.tmp);
  if (tmp !== undefined) return '<tmp>/**';
  for (const name of ['rootDir', 'cwd', 'home'] as const) {
    const rel = under(path, tokens[name]);
    if (rel !== undefined) return rel ? `<${name}>/${rel}` : `<${name}>`;
  }
  return path;
}

function patternsFor(rule: PolicyRule, event: ReportEvent, tokens: TokenValues): string[] {
  switch (rule) {
    case 'read':
    case 'write':
    case 'exec': {
      const paths = rule === 'write' && (event.kind === 'rename' || event.kind === 'link') && event.detail ? [event.subject, event.detail] : [event.subject];
      return paths.map((p) => tokenised(p, tokens));
    }
    case 'connect': {
      const e = event.endpoint;
      if (!e) return [];
      if (e.family === 'unix') return [`unix:${tokenised(e.address, tokens)}`];
      if (e.family === 'inet' && e.address.startsWith('127.')) return [`${e.address}:*`];
      if (e.family === 'inet6' && e.address === '::1') return ['[::1]:*'];
      return [event.subject];
    }
    case 'resolve':
      return [event.subject];
    case 'privileged':
      return [event.kind];
  }
}

export function learnPolicy(report: Report): Policy {
  // Events the default noise list already allows are left out.
  const noise = new PolicyChecker({ allow: { read: [], write: [] } }, 'noise', report.tokens).forFile('');
  const seen = new Map<PolicyRule, Set<string>>();
  for (const file of report.files)
    for (const test of file.tests)
      for (const event of test.events) {
        const rule = ruleOf(event);
        if (!rule) continue;
        if ((rule === 'read' || rule === 'write') && noise.check([event]).length === 0) continue;
        const set = seen.get(rule) ?? new Set<string>();
        for (const pattern of patternsFor(rule, event, report.tokens)) set.add(pattern);
        seen.set(rule, set);
      }
  const allow: Policy['allow'] = {};
  for (const rule of ['read', 'write', 'exec', 'connect', 'resolve', 'privileged'] as const)
    allow[rule] = [...(seen.get(rule) ?? [])].sort();
  return { mode: 'enforce', noise: true, allow };
}
