// The registration protocol between a worker and vivariumd, over the Unix
// socket: one JSON line each way. A successful reply carries, by
// SCM_RIGHTS, the worker's own maps in REPLY_FDS order, and nothing else.
// The connection stays open while the worker is registered: its end (the
// worker unregisters or dies) frees the slot. On it, a registered worker may
// ask for the kinds vivariumd attaches only on demand (AttachRequest).
import type { BackendName } from './backend.js';

export interface RegisterRequest {
  op: 'register';
  /** The client's ABI (bpf/vivarium.h); a daemon of another one refuses. */
  abi: number;
  followChildren: boolean;
  /** On-demand kinds to attach before the reply, so that every window sees
   * them (a run with a policy or a reporter); the others are deferred. */
  kinds?: string[];
}

/** A registered worker asks for deferred kinds, before a check of them. */
export interface AttachRequest {
  op: 'attach';
  kinds: string[];
}

export type Request = RegisterRequest | AttachRequest;

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
  /** Kinds vivariumd attaches only when asked (http: its uprobes sit in node
   * and cost every fork of a Node process) and this worker did not ask for:
   * a check of one asks first (AttachRequest). Absent from older daemons: none. */
  deferred?: string[];
}

export interface AttachReply {
  ok: true;
  /** Those of the asked kinds that cannot be observed for this worker, with the reason. */
  unavailable: Record<string, string>;
}

export interface ErrorReply {
  ok: false;
  /** The class name of the error the client throws (NoFreeSlotError, AbiMismatchError, ...). */
  error: string;
  message: string;
}

export type Reply = RegisterReply | AttachReply | ErrorReply;

/** The descriptors of a RegisterReply, in order. */
export const REPLY_FDS = ['ring', 'control', 'counters'] as const;

/** A line on the wire is at most this long. */
export const MAX_LINE = 64 * 1024;

export function encodeLine(message: Request | Reply): Uint8Array {
  return Buffer.from(`${JSON.stringify(message)}\n`);
}
