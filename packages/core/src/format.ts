// Events as one readable line each, for matcher messages, policy violations
// and reports. The words come from the kind table (event-kinds.ts); this file
// only lays them out:
//   open (read) /etc/hosts  ENOENT  (requested /etc/hosts-link)  [child 4242]
//   exec /usr/bin/ls  ["ls","-l"]
//   open (read) /home/ci/.npmrc  at loadRc (node_modules/rc/index.js:41:12)  [rc@1.2.8]
import { type Description, describeEvent, kindRow, succeeded } from './event-kinds.js';
import type { EventKind, Leftover, VivariumEvent } from './events.js';
import { type Origin, formatOrigin } from './provenance/origin.js';

export const LIST_LIMIT = 10;

/** How an attempt ended and who made it. */
export interface Outcome {
  /** The errno of a failed attempt (none for one that succeeded). */
  errno?: string | undefined;
  /** Done by a child process: its pid, or true where the pid is not kept (reports). */
  child?: number | boolean | undefined;
  /** Done by a process started in an earlier window. */
  leftover?: Leftover | undefined;
  /** The JS call that did it (provenance). */
  origin?: Origin | undefined;
}

/** The line of a described event. */
export function formatLine(kind: EventKind, description: Description, outcome: Outcome = {}): string {
  const row = kindRow(kind);
  const verb = row.verb ?? kind;
  const { subject, detail, requested } = description;
  const parts = row.detailFirst && detail ? [`${verb} (${detail}) ${subject}`] : [detail ? `${verb} ${subject}  ${detail}` : `${verb} ${subject}`];
  if (outcome.errno) parts.push(outcome.errno);
  if (requested) parts.push(`(requested ${requested})`);
  if (outcome.leftover) parts.push(`[pid ${outcome.leftover.pid} (${outcome.leftover.command}), started in ${outcome.leftover.startedIn}]`);
  else if (outcome.child) parts.push(outcome.child === true ? '[child]' : `[child ${outcome.child}]`);
  if (outcome.origin) parts.push(formatOrigin(outcome.origin));
  return parts.join('  ');
}

/** The line that names one subject of an event: `open (read) /etc/passwd`;
 * `rename /etc/b` for the new path of `rename /a  → /etc/b`. */
export function formatSubjectLine(kind: EventKind, description: Description, subject: string, outcome: Outcome = {}): string {
  const detail = kindRow(kind).detailFirst ? description.detail : undefined;
  return formatLine(kind, detail ? { subject, detail } : { subject }, outcome);
}

/** The errno worth showing: that of an attempt that failed. */
export function failureOf(event: VivariumEvent): string | undefined {
  return succeeded(event) ? undefined : event.errno;
}

/** One line per event: what was done, to what, and how it ended. */
export function formatEvent(event: VivariumEvent): string {
  return formatLine(event.kind, describeEvent(event), { errno: failureOf(event), child: event.child && event.pid, leftover: event.leftover, origin: event.origin });
}

/** Lines, de-duplicated with a count, cut after `limit` with a "… and N more". */
export function groupLines(lines: readonly string[], limit = LIST_LIMIT): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  const out = [...counts].map(([line, n]) => (n > 1 ? `${line}  ×${n}` : line));
  if (out.length <= limit) return out;
  return [...out.slice(0, limit), `… and ${out.length - limit} more`];
}

export function indent(lines: readonly string[]): string {
  return lines.map((l) => `  ${l}`).join('\n');
}
