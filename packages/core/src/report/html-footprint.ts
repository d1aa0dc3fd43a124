// The first screen of vivarium-report.html: what the whole suite touched
// outside the project — programs run, endpoints, hosts and HTTP requests reached, files
// written outside <rootDir> and <tmp>, files read outside them by top
// directory, privileged acts, and what could not be observed — each with the
// number of tests behind it and a link (#fp=ID) that filters the tests to
// those. Built from the run's footprint (footprint/normalise.ts) and the
// typed subjects of its lines, so a new kind needs nothing here. With the
// footprint of a base run, what is new to the suite is marked, and so is
// each test that gained an effect.
import { type PolicyRule, ruleOfSubject } from '../event-kinds.js';
import { diffFootprints } from '../footprint/diff.js';
import { type FootprintGroup, linesOf } from '../footprint/normalise.js';
import { type FootprintedTest, type RunFootprint, footprintOfTests, footprintedTests } from '../footprint/run.js';
import { stableText } from '../footprint/stable-text.js';
import { type SubjectType, subjectText } from '../subjects.js';
import { tokensOf } from './shards.js';
import type { Report } from './types.js';

const FOOTPRINT_SECTIONS = [
  { id: 'exec', title: 'Programs run' },
  { id: 'endpoint', title: 'Endpoints reached' },
  { id: 'host', title: 'Hosts resolved' },
  { id: 'request', title: 'HTTP requests' },
  { id: 'load', title: 'Native code loaded' },
  { id: 'write', title: 'Written outside <rootDir> and <tmp>' },
  { id: 'read', title: 'Read outside <rootDir> and <tmp>, by top directory' },
  { id: 'privileged', title: 'Privileged acts' },
  { id: 'unobservable', title: 'Not observable' },
] as const;
type SectionId = (typeof FOOTPRINT_SECTIONS)[number]['id'];

/** Where a line with nothing to show goes (an unparsed DNS name, an unresolved path). */
/** env is in no footprint (footprint/normalise.ts). */
const SECTION_OF_GROUP: Record<Exclude<FootprintGroup, 'env'>, SectionId> = {
  read: 'read',
  write: 'write',
  exec: 'exec',
  connect: 'endpoint',
  resolve: 'host',
  http: 'request',
  privileged: 'privileged',
  load: 'load',
  unobservable: 'unobservable',
};

const SECTION_OF_SUBJECT: { readonly [T in Exclude<SubjectType, 'path' | 'variable'>]: SectionId } = { program: 'exec', endpoint: 'endpoint', host: 'host', act: 'privileged', library: 'load', request: 'request' };
const pathSection = (rule: PolicyRule | undefined): SectionId | undefined => (rule === 'read' || rule === 'write' ? rule : undefined);

export interface FootprintItem {
  /** 'exec.0': the #fp= value that filters the tests to those behind it. */
  id: string;
  label: string;
  /** Indexes of the tests behind it, in page order. */
  tests: number[];
  /** The footprint lines behind it (a top directory's files, a program's argv). */
  entries: string[];
  /** New to the suite since the base run. */
  isNew: boolean;
}

export interface HtmlFootprint {
  sections: Array<{ id: SectionId; title: string; items: FootprintItem[] }>;
  /** Compared with: where the base run came from. */
  base?: string;
  /** Per test index: the lines it gained since the base run ('read: open (read) …'). */
  added: Record<number, string[]>;
}

const inside = (path: string) => path === '<rootDir>' || path === '<tmp>' || path.startsWith('<rootDir>/') || path.startsWith('<tmp>/');

/** '/etc' for /etc/passwd, '<home>/.aws' for <home>/.aws/credentials. */
export function topDirectory(path: string): string {
  const parts = path.split('/');
  return parts[0] ? parts.slice(0, 2).join('/') : `/${parts[1] ?? ''}`;
}

type Item = { section: SectionId; label: string; tests: Set<number>; entries: Set<string>; lines: Set<string> };

/** The entries of each section, from the typed subjects of each test's footprint lines. */
function collect(report: Report, tests: readonly FootprintedTest[]): Map<string, Item> {
  const items = new Map<string, Item>();
  const add = (section: SectionId, label: string, test: number, entry: string, line: string) => {
    const key = `${section}\0${label}`;
    let item = items.get(key);
    if (!item) items.set(key, (item = { section, label, tests: new Set(), entries: new Set(), lines: new Set() }));
    item.tests.add(test);
    item.entries.add(entry);
    item.lines.add(line);
  };
  // Each file's words with the token values it ran with (a merged shard's may differ).
  const stable = new Map<string, (text: string) => string>();
  const stableOf = new Map(
    report.files.map((f) => {
      const tokens = tokensOf(report, f);
      const key = JSON.stringify(tokens);
      if (!stable.has(key)) stable.set(key, stableText(tokens));
      return [f.file, stable.get(key)!];
    }),
  );
  tests.forEach((test, index) => {
    const words = stableOf.get(test.file)!;
    for (const { group, text, source } of test.lines) {
      if (group === 'env') continue; // in no footprint
      const line = `${group}\0${text}`;
      let shown = false;
      if (group !== 'unobservable')
        for (const subject of source.subjects) {
          // A path is shown by the rule that judges it: read or write (a mount's path is its act's).
          const section =
            subject.type === 'path' ? pathSection(ruleOfSubject(source.rule, subject)) : subject.type === 'variable' ? undefined : SECTION_OF_SUBJECT[subject.type];
          if (!section) continue;
          shown = true;
          const value = words(subjectText(subject));
          if (section === 'read' || section === 'write') {
            if (!inside(value)) add(section, section === 'read' ? topDirectory(value) : value, index, value, line);
          } else add(section, value, index, text, line);
        }
      if (!shown) add(SECTION_OF_GROUP[group], text, index, text, line);
    }
  });
  return items;
}

const byLabel = (a: Item, b: Item) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);

/** The summary of a report, compared with a base run's footprint if given. */
export function summarizeFootprint(report: Report, base?: { footprint: RunFootprint; source: string }): HtmlFootprint {
  const tests = footprintedTests([report]);
  const items = [...collect(report, tests).values()];
  const diff = base && diffFootprints(base.footprint, footprintOfTests(tests));
  const newLines = new Set(diff ? linesOf(diff.suite.added).map(({ group, text }) => `${group}\0${text}`) : []);
  const sections = FOOTPRINT_SECTIONS.map(({ id, title }) => {
    const list = items
      .filter((item) => item.section === id)
      .map((item) => ({ ...item, isNew: [...item.lines].some((l) => newLines.has(l)) }))
      .sort((a, b) => Number(b.isNew) - Number(a.isNew) || b.tests.size - a.tests.size || byLabel(a, b));
    return {
      id,
      title,
      items: list.map((item, i) => ({ id: `${id}.${i}`, label: item.label, tests: [...item.tests].sort((a, b) => a - b), entries: [...item.entries].sort(), isNew: item.isNew })),
    };
  });
  const added: Record<number, string[]> = {};
  if (diff) {
    const gained = new Map(diff.tests.map((t) => [`${t.file}\0${t.name}`, linesOf(t.added).map(({ group, text }) => `${group}: ${text}`)]));
    tests.forEach((test, index) => {
      const lines = gained.get(`${test.file}\0${test.name}`);
      if (lines?.length) added[index] = lines;
    });
  }
  return { sections, ...(base ? { base: base.source } : {}), added };
}
