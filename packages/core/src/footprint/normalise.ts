// A test's footprint: what it did to the operating system, as lines that are
// the same on every machine and in every run, grouped by the policy rule
// they fall under and sorted. One normaliser for the snapshot matchers,
// `vivarium footprint` and `vivarium diff`:
//   - the lines are the report's (event-lines.ts: classified by the kind
//     table), so a new kind needs nothing here;
//   - what no rule governs (fork, exit, a failed PATH lookup) and the default
//     noise list are left out;
//   - what the backend could not observe is its own group, `unobservable`;
//     what a leftover process did keeps a mark naming it: neither is ever
//     merged into the test's own lines;
//   - outcomes and counts are dropped (an attempt is part of the footprint,
//     whether the file existed on this machine or not), and so are who did it
//     (worker or child), pids and times; paths, ports and temp names are
//     made stable (stable-text.ts).
import { POLICY_RULES } from '../event-kinds.js';
import { type ReportEvent, toReportEvents } from '../event-lines.js';
import type { VivariumEvent } from '../events.js';
import { formatLine } from '../format.js';
import { noiseFilter } from '../policy/generalise.js';
import type { RecordScope } from '../event-lines.js';
import type { TokenValues } from '../policy/tokens.js';
import { stableText } from './stable-text.js';

/** A footprint's groups, in order: the policy rules, then what could not be observed. */
export const FOOTPRINT_GROUPS = [...POLICY_RULES, 'unobservable'] as const;
export type FootprintGroup = (typeof FOOTPRINT_GROUPS)[number];

/** Lines per group, each list sorted and without repeats; empty groups absent. */
export type Footprint = { [G in FootprintGroup]?: string[] };

/** One line of a footprint, with the report line it came from. */
export interface FootprintLine {
  group: FootprintGroup;
  text: string;
  source: ReportEvent;
}

/** The group of a report line; none for what no rule governs. */
export function groupOf(line: Pick<ReportEvent, 'rule' | 'blind'>): FootprintGroup | undefined {
  if (line.blind) return 'unobservable';
  // Which variables a process reads depends on which are set (os.tmpdir()
  // tries TMPDIR, TMP, TEMP; the C library its locale variables): no footprint
  // would be the same on two machines. Environment reads are checked by the
  // env rule and matchers instead.
  return line.rule === 'env' ? undefined : line.rule;
}

/** A run's normaliser: report lines → footprint lines (unsorted, repeats kept), noise left out
 * (outside tests, what module loading does on its own too: scope 'file'). */
export function footprintLines(tokens: TokenValues, scope?: RecordScope): (lines: readonly ReportEvent[]) => FootprintLine[] {
  const stable = stableText(tokens);
  const isNoise = noiseFilter(tokens, scope);
  return (lines) => {
    const out: FootprintLine[] = [];
    for (const line of lines) {
      const group = groupOf(line);
      if (!group || isNoise(line)) continue;
      const subject = stable(line.subject);
      const requested = line.requested && stable(line.requested);
      const words = formatLine(line.kind, {
        subject,
        ...(line.detail ? { detail: stable(line.detail) } : {}),
        ...(requested && requested !== subject ? { requested } : {}),
      });
      const { leftover } = line;
      const text = leftover ? `${words}  [leftover ${leftover.command}, started in ${stable(leftover.startedIn)}]` : words;
      out.push({ group, text, source: line });
    }
    return out;
  };
}

/** Footprint lines grouped, sorted, without repeats. */
export function groupFootprint(lines: Iterable<Pick<FootprintLine, 'group' | 'text'>>): Footprint {
  const groups = new Map<FootprintGroup, Set<string>>();
  for (const { group, text } of lines) {
    let set = groups.get(group);
    if (!set) groups.set(group, (set = new Set()));
    set.add(text);
  }
  const footprint: Footprint = {};
  for (const group of FOOTPRINT_GROUPS) {
    const set = groups.get(group);
    if (set) footprint[group] = [...set].sort();
  }
  return footprint;
}

/** The footprint of report lines, recorded with these token values. */
export function footprintOf(lines: readonly ReportEvent[], tokens: TokenValues): Footprint {
  return groupFootprint(footprintLines(tokens)(lines));
}

/** The normaliser of the token values last used: a test file's matcher calls share them. */
let last: { key: string; normalise: ReturnType<typeof footprintLines> } | undefined;

/** The footprint of observed events (what a snapshot matcher stores). */
export function footprintOfEvents(events: readonly VivariumEvent[], tokens: TokenValues): Footprint {
  const key = JSON.stringify(tokens);
  if (last?.key !== key) last = { key, normalise: footprintLines(tokens) };
  return groupFootprint(last.normalise(toReportEvents(events)));
}

/** Every line of a footprint, with its group. */
export function linesOf(footprint: Footprint): Array<{ group: FootprintGroup; text: string }> {
  return FOOTPRINT_GROUPS.flatMap((group) => (footprint[group] ?? []).map((text) => ({ group, text })));
}

/** How many lines a footprint has. */
export function sizeOf(footprint: Footprint): number {
  return FOOTPRINT_GROUPS.reduce((n, group) => n + (footprint[group]?.length ?? 0), 0);
}
