// Which events each matcher looks at.
import {
  type ConnectEvent,
  type DnsEvent,
  type ExecEvent,
  type FileOpenEvent,
  type PathEvent,
  type VivariumEvent,
  eventPaths,
  succeeded,
} from '../events.js';

export const opens = (events: VivariumEvent[]) => events.filter((e): e is FileOpenEvent => e.kind === 'file_open');
export const successfulOpens = (events: VivariumEvent[]) => opens(events).filter((e) => e.result >= 0);
export const failedOpens = (events: VivariumEvent[]) => opens(events).filter((e) => e.result < 0);

export const writesIntent = (e: FileOpenEvent) => e.access !== 'read' || e.create || e.truncate;

export const execs = (events: VivariumEvent[]) => events.filter((e): e is ExecEvent => e.kind === 'exec');
/** A failed PATH lookup (ENOENT, ENOTDIR) ran nothing: not an attempt to run a program. */
export const execAttempts = (events: VivariumEvent[]) => execs(events).filter((e) => e.errno !== 'ENOENT' && e.errno !== 'ENOTDIR');

export const connects = (events: VivariumEvent[]) =>
  events.filter((e): e is ConnectEvent => e.kind === 'connect' && e.endpoint.family !== 'unspec');

export const lookups = (events: VivariumEvent[]) => events.filter((e): e is DnsEvent => e.kind === 'dns');

export const deletions = (events: VivariumEvent[]) =>
  events.filter((e): e is PathEvent => (e.kind === 'unlink' || e.kind === 'rmdir') && e.result >= 0);

/** Everything that changes the file system, attempted. */
const MUTATING = new Set(['unlink', 'rmdir', 'mkdir', 'rename', 'link', 'symlink', 'chmod', 'chown']);
export const writeAttempts = (events: VivariumEvent[]) =>
  events.filter((e) => (e.kind === 'file_open' && writesIntent(e)) || MUTATING.has(e.kind));

/** Every event that carries a path. */
export const pathEvents = (events: VivariumEvent[]) => events.filter((e) => eventPaths(e).length > 0);

export { succeeded };
