// Live events to report lines: one subject each, identical lines folded.
import type { VivariumEvent } from '../events.js';
import type { ReportEvent } from './types.js';

function line(event: VivariumEvent): Omit<ReportEvent, 'count'> {
  const common = { kind: event.kind, ...(event.errno && !(event.kind === 'connect' && event.errno === 'EINPROGRESS') ? { errno: event.errno } : {}), ...(event.child ? { child: true } : {}) };
  switch (event.kind) {
    case 'file_open': {
      const how = [event.access, event.create && 'create', event.truncate && 'truncate', event.append && 'append'].filter(Boolean).join('+');
      return { ...common, subject: event.path, detail: how, ...(event.requestedPath !== event.path ? { requested: event.requestedPath } : {}) };
    }
    case 'exec':
      return {
        ...common,
        subject: event.path,
        ...(event.requestedPath !== event.path ? { requested: event.requestedPath } : {}),
        ...(event.argv.length ? { detail: event.argv.join(' ') } : {}),
      };
    case 'connect':
      return { ...common, subject: event.endpoint.text, endpoint: event.endpoint };
    case 'dns':
      return { ...common, subject: event.name, detail: `${event.type} via ${event.server.text}` };
    case 'rename':
    case 'link':
      return { ...common, subject: event.path, detail: event.to };
    case 'symlink':
      return { ...common, subject: event.path, detail: event.target };
    case 'mount':
      return { ...common, subject: event.path, detail: event.unmount ? 'unmount' : `${event.fstype} from ${event.source}` };
    case 'chmod':
    case 'mkdir':
      return { ...common, subject: event.path, detail: event.mode.toString(8).padStart(4, '0') };
    case 'chown':
      return { ...common, subject: event.path, detail: `${event.uid}:${event.gid}` };
    case 'unlink':
    case 'rmdir':
      return { ...common, subject: event.path };
    case 'setuid':
    case 'setgid':
      return { ...common, subject: event.ids.join(',') };
    case 'ptrace':
      return { ...common, subject: `pid ${event.targetPid}`, detail: `request ${event.request}` };
    case 'kill':
      return { ...common, subject: `pid ${event.targetPid}`, detail: `signal ${event.signal}` };
    case 'fork':
      return { ...common, subject: `pid ${event.childPid}` };
    case 'exit':
      return { ...common, subject: `pid ${event.pid}`, detail: `status ${event.status}` };
  }
}

/** Report lines for the events, in first-seen order, identical ones counted. */
export function toReportEvents(events: readonly VivariumEvent[]): ReportEvent[] {
  const folded = new Map<string, ReportEvent>();
  for (const event of events) {
    const l = line(event);
    const key = `${l.kind}\0${l.subject}\0${l.detail ?? ''}\0${l.errno ?? ''}\0${l.child ? 1 : 0}\0${l.requested ?? ''}`;
    const seen = folded.get(key);
    if (seen) seen.count++;
    else folded.set(key, { ...l, count: 1 });
  }
  return [...folded.values()];
}
