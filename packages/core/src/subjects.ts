// What an event acted on, typed: the values patterns, policies and reports
// judge. Every event kind lists its subjects in the kind table
// (event-kinds.ts); nothing else digs them out of an event.
import type { EventKind } from './events.js';
import type { HttpRequest } from './http/request.js';
import type { Endpoint } from './sockaddr.js';

/** A program run: the file the kernel ran, and the path it was asked for ('/bin/sh' for /usr/bin/dash). */
export interface Program {
  path: string;
  requested: string;
}

/** The value of each subject type. */
export interface SubjectValues {
  /** An absolute path the event touched. */
  path: string;
  program: Program;
  endpoint: Endpoint;
  /** A host name asked for over DNS. */
  host: string;
  /** An HTTP request sent (method, scheme, host, port, path; no query). */
  request: HttpRequest;
  /** A privileged act, named by its event kind ('setuid', 'mount', ...). */
  act: EventKind;
  /** An environment variable's name ('HOME'). */
  variable: string;
  /** A shared object loaded at run time: absolute, or a bare name the loader searched for. */
  library: string;
}

export type SubjectType = keyof SubjectValues;

/** One subject: `{ type: 'path', value: '/etc/hosts' }`. */
export type Subject = { [T in SubjectType]: { type: T; value: SubjectValues[T] } }[SubjectType];

/** The values of the subjects of one type. */
export function valuesOf<T extends SubjectType>(subjects: readonly Subject[], type: T): Array<SubjectValues[T]> {
  const values: Array<SubjectValues[T]> = [];
  for (const subject of subjects) if (subject.type === type) values.push(subject.value as SubjectValues[T]);
  return values;
}

/** Every file system path among the subjects (a program's file included). */
export function subjectPaths(subjects: readonly Subject[]): string[] {
  const paths: string[] = [];
  for (const subject of subjects)
    if (subject.type === 'path') paths.push(subject.value);
    else if (subject.type === 'program') paths.push(subject.value.path);
  return paths;
}

/** The subject as messages and reports show it. */
export function subjectText(subject: Subject): string {
  switch (subject.type) {
    case 'program':
      return subject.value.path;
    case 'endpoint':
      return subject.value.text;
    case 'request':
      return subject.value.unknown ? `${subject.value.text} (${subject.value.unknown})` : subject.value.text;
    default:
      return subject.value;
  }
}
