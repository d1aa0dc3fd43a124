// The registration protocol between a worker and vivariumd, over the Unix
// socket: one JSON line each way. A successful reply carries, by
// SCM_RIGHTS, the worker's own maps in REPLY_FDS order, and nothing else.
// The connection stays open while the worker is registered: its end (the
// worker unregisters or dies) frees the slot.
import type { BackendName } from './backend.js';

export interface RegisterRequest {
  op: 'register';
  /** The client's ABI (bpf/vivarium.h); a daemon of another one refuses. */
  abi: number;
  followChildren: boolean;
}

export type Request = RegisterRequest;

export interface RegisterReply {
  ok: true;
  abi: number;
  backend: BackendName;
  slot: number;
  ringSize: number;
  /** config_targets flags of the worker's entry (the integrity probe checks them). */
  targetFlags: number;
  /** The window the control map starts at. */
  epoch: number;
  /** Kinds seen through uprobes that vivariumd could not attach for this
   * worker, with the reason (absent from older daemons: none). */
  unavailable?: Record<string, string>;
}

export interface ErrorReply {
  ok: false;
  /** The class name of the error the client throws (NoFreeSlotError, AbiMismatchError, ...). */
  error: string;
  message: string;
}

export type Reply = RegisterReply | ErrorReply;

/** The descriptors of a RegisterReply, in order. */
export const REPLY_FDS = ['ring', 'control', 'counters'] as const;

/** A line on the wire is at most this long. */
export const MAX_LINE = 64 * 1024;

export function encodeLine(message: Request | Reply): Uint8Array {
  return Buffer.from(`${JSON.stringify(message)}\n`);
}
