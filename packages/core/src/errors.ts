// One error class per concept, each with a stable `name`. Messages read
// `context: cause (hint)`; the underlying error is kept as `cause`.
import { constants } from 'node:os';

export class VivariumError extends Error {
  override name = 'VivariumError';
}

/** The base of an error class named `name` (kept as is by bundlers and minifiers). */
const named = (name: string) =>
  class extends VivariumError {
    override name = name;
  };

/** No daemon serves the pin dir (or it died): nothing can be observed. */
export class DaemonNotRunningError extends named('DaemonNotRunningError') {}

/** Pinned maps that do not match what this client expects. */
export class AbiMismatchError extends named('AbiMismatchError') {}

/** vivariumd runs, but this process may not register with it (or open its pins). */
export class AccessDeniedError extends named('AccessDeniedError') {}

/** Every slot (--rings) is held by a live worker. */
export class NoFreeSlotError extends named('NoFreeSlotError') {}

/** The worker's registration was removed or changed while it was observed. */
export class TamperedError extends named('TamperedError') {}

/** Processes of an observed window that the kernel could not follow. */
export class UnfollowedError extends named('UnfollowedError') {}

/** A kind of event vivariumd could not attach its uprobes for, for this worker: a check of it cannot see. */
export class UnavailableKindError extends named('UnavailableKindError') {}

/** The kernel lost events of this worker because its ring was full. */
export class EventsDroppedError extends VivariumError {
  override name = 'EventsDroppedError';
  constructor(
    readonly dropped: number,
    message: string,
  ) {
    super(message);
  }
}


/** A ring record that cannot be decoded. */
export class DecodeError extends VivariumError {
  override name = 'DecodeError';
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, code]) => [code, name]));

/** `ENOENT` for 2, `E123` when unknown. */
export function errnoName(errno: number): string {
  return errnoNames.get(Math.abs(errno)) ?? `E${Math.abs(errno)}`;
}

/** An Error for a failed libbpf call that returned -errno. */
export function syscallError(context: string, ret: number): NodeJS.ErrnoException {
  const code = errnoName(ret);
  const err: NodeJS.ErrnoException = new Error(`${context}: ${code}`);
  err.code = code;
  err.errno = -Math.abs(ret);
  return err;
}
