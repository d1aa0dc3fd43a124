// A footprint as text, the way the snapshot matchers store it: a group name,
// then its lines indented by two spaces.
//   read
//     open (read) <rootDir>/data/input.txt
//   write
//     mkdir <rootDir>/out  0777
// The runners keep it in their snapshot files through a serializer (the
// value handed to them is branded, so nothing else is printed this way).
import { FOOTPRINT_GROUPS, type Footprint, type FootprintGroup, linesOf } from './normalise.js';

/** The text of a footprint without lines. */
export const NO_EFFECTS = '(no effects)';

export function renderFootprint(footprint: Footprint): string {
  const out: string[] = [];
  for (const group of FOOTPRINT_GROUPS) {
    const lines = footprint[group];
    if (lines?.length) out.push(group, ...lines.map((line) => `  ${line}`));
  }
  return out.length ? out.join('\n') : NO_EFFECTS;
}

/** A footprint back from its text, as a runner stored it (indented or not):
 * group names are the least indented lines. */
export function parseFootprint(text: string): Footprint {
  const lines = text.split('\n').filter((line) => line.trim() && line.trim() !== NO_EFFECTS);
  const indent = (line: string) => line.length - line.trimStart().length;
  const outer = Math.min(...lines.map(indent));
  const groups = new Map<FootprintGroup, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    const words = line.trim();
    if (indent(line) === outer && (FOOTPRINT_GROUPS as readonly string[]).includes(words)) groups.set(words as FootprintGroup, (current = []));
    else current?.push(words);
  }
  const footprint: Footprint = {};
  for (const group of FOOTPRINT_GROUPS) if (groups.get(group)?.length) footprint[group] = groups.get(group);
  return footprint;
}

const BRAND = Symbol.for('vivarium.footprint');

/** What a snapshot matcher hands to the runner: printed as its text by FOOTPRINT_SERIALIZER. */
export interface FootprintSnapshot {
  readonly [BRAND]: true;
  readonly text: string;
}

export function footprintSnapshot(footprint: Footprint): FootprintSnapshot {
  return { [BRAND]: true, text: renderFootprint(footprint) };
}

/** A pretty-format plugin (Jest's and Vitest's snapshot serializers): a footprint as its text. */
export const FOOTPRINT_SERIALIZER = {
  test: (value: unknown): boolean => typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true,
  serialize: (value: FootprintSnapshot): string => value.text,
};

/** The lines of `after` not in `before`, and those of `before` not in `after`, by group. */
export function changes(before: Footprint, after: Footprint): { appeared: Footprint; disappeared: Footprint } {
  const minus = (a: Footprint, b: Footprint): Footprint => {
    const out: Footprint = {};
    for (const { group, text } of linesOf(a))
      if (!b[group]?.includes(text)) (out[group] ??= []).push(text);
    return out;
  };
  return { appeared: minus(after, before), disappeared: minus(before, after) };
}
