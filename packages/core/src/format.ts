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

const suffix = (event: VivariumEvent) =>
  `${event.errno && !(event.kind === 'connect' && event.errno === 'EINPROGRESS') ? `  ${event.errno}` : ''}${event.child ? `  [child ${event.pid}]` : ''}`;

/** One line per event: what was done, to what, and how it ended. */
export function formatEvent(event: VivariumEvent): string {
  switch (event.kind) {
    case 'file_open':
      return `open ${formatOpen(event)}`;
    case 'exec':
      return `exec ${event.path}${event.argv.length ? `  ${JSON.stringify(event.argv)}` : ''}${suffix(event)}`;
    case 'connect':
      return `connect ${event.endpoint.text}${suffix(event)}`;
    case 'dns':
      return `dns ${event.name || '(unparsed)'} ${event.type} via ${event.server.text}${suffix(event)}`;
    case 'rename':
    case 'link':
      return `${event.kind} ${event.path} → ${event.to}${suffix(event)}`;
    case 'symlink':
      return `symlink ${event.path} → ${event.target}${suffix(event)}`;
    case 'mount':
      return `${event.unmount ? 'umount' : 'mount'} ${event.path}${event.unmount ? '' : ` (${event.fstype || '?'} from ${event.source || '?'})`}${suffix(event)}`;
    case 'chmod':
    case 'mkdir':
      return `${event.kind} ${event.path} ${event.mode.toString(8).padStart(4, '0')}${suffix(event)}`;
    case 'chown':
      return `chown ${event.path} ${event.uid}:${event.gid}${suffix(event)}`;
    case 'unlink':
    case 'rmdir':
      return `${event.kind} ${event.path}${suffix(event)}`;
    case 'setuid':
    case 'setgid':
      return `${event.kind} ${event.ids.join(', ')}${suffix(event)}`;
    case 'ptrace':
      return `ptrace request ${event.request} pid ${event.targetPid}${suffix(event)}`;
    case 'kill':
      return `kill pid ${event.targetPid} signal ${event.signal}${suffix(event)}`;
    case 'fork':
      return `fork → pid ${event.childPid}${suffix(event)}`;
    case 'exit':
      return `exit pid ${event.pid} status ${event.status}`;
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
