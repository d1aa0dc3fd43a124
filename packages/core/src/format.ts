// Events as one readable line each, for matcher messages and reports.
import type { FileOpenEvent, VivariumEvent } from './events.js';

export const LIST_LIMIT = 10;

export function formatOpen(event: FileOpenEvent): string {
  const how = [event.access, event.create && 'create', event.truncate && 'truncate', event.append && 'append'].filter(Boolean).join('+');
  const parts = [event.path, how];
  if (event.errno) parts.push(event.errno);
  if (event.requestedPath !== event.path) parts.push(`(requested ${event.requestedPath})`);
  if (event.child) parts.push(`[child ${event.pid}]`);
  return parts.join('  ');
}

export function formatEvent(event: VivariumEvent): string {
  switch (event.kind) {
    case 'file_open':
      return `open ${formatOpen(event)}`;
    case 'fork':
      return `fork → pid ${event.childPid}`;
    case 'exit':
      return `exit pid ${event.pid} status ${event.status}`;
    default:
      return `${event.kind} ${event.path}${event.errno ? `  ${event.errno}` : ''}`;
  }
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
