// What an observation window could not see. Nothing may be lost silently:
// a window with a gap fails whatever judges it (a matcher, a test's policy
// check), saying what was missed and what to do about it.
import { EventsDroppedError, TamperedError, UnavailableKindError, UnfollowedError } from './errors.js';
import type { VivariumEvent } from './events.js';

export interface Gaps {
  /** Events of the window's own processes the kernel lost (ring full). */
  dropped: number;
  /** Events lost of processes started in an earlier window (charged to them). */
  leftoverDropped: number;
  /** Descendants the kernel could not follow (config_targets full). */
  unfollowed: number;
  /** What changed in the worker's registration, when someone removed or rewrote it. */
  tampered: string | undefined;
  /** Kinds seen through uprobes that vivariumd could not attach for this
   * worker, with the reason: only checks of those kinds fail. */
  unavailable?: Readonly<Record<string, string>> | undefined;
}

export const NO_GAPS: Readonly<Gaps> = { dropped: 0, leftoverDropped: 0, unfollowed: 0, tampered: undefined };

export function addGaps(a: Gaps, b: Gaps): Gaps {
  return {
    dropped: a.dropped + b.dropped,
    leftoverDropped: a.leftoverDropped + b.leftoverDropped,
    unfollowed: a.unfollowed + b.unfollowed,
    tampered: a.tampered ?? b.tampered,
    // Per kind, the first reason given.
    unavailable: a.unavailable && b.unavailable ? { ...b.unavailable, ...a.unavailable } : (a.unavailable ?? b.unavailable),
  };
}

/** Throws when one of `kinds` could not be observed for the worker: a check
 * of it would pass blind. `what`: 'expect(fn).toReadEnv()', 'this test'. */
export function assertAvailable(gaps: Gaps, kinds: readonly string[], what: string): void {
  for (const kind of kinds) {
    const reason = gaps.unavailable?.[kind];
    if (reason)
      throw new UnavailableKindError(`vivarium: ${what} cannot be checked: ${kind} events are unavailable for this worker (${reason})`);
  }
}

/** Throws the error a window with gaps fails with. `what`: 'this test',
 * 'expect(fn).toOpenFiles()'; `leftovers`: who the leftover processes were. */
export function assertComplete(gaps: Gaps, what: string, leftovers = 'processes started earlier'): void {
  if (gaps.tampered) throw new TamperedError(`vivarium: observation of ${what} was tampered with (${gaps.tampered})`);
  if (gaps.dropped > 0)
    throw new EventsDroppedError(
      gaps.dropped,
      `vivarium: ${gaps.dropped} event(s) of ${what} were lost because the worker's ring was full (restart vivariumd with a larger --ring-size)`,
    );
  if (gaps.leftoverDropped > 0)
    throw new EventsDroppedError(
      gaps.leftoverDropped,
      `vivarium: ${gaps.leftoverDropped} event(s) of ${leftovers} were lost while ${what} ran, because the worker's ring was full (stop them before the test ends, or restart vivariumd with a larger --ring-size)`,
    );
  if (gaps.unfollowed > 0)
    throw new UnfollowedError(
      `vivarium: ${gaps.unfollowed} process(es) of ${what} could not be followed: the kernel's table of observed processes is full (restart vivariumd with a larger --max-targets)`,
    );
}

/** Who the leftover processes of a window were: 'pid 42 (sh), started in test a'. */
export function leftoversOf(events: readonly VivariumEvent[]): string | undefined {
  const seen = new Map<number, string>();
  for (const e of events) if (e.leftover) seen.set(e.leftover.pid, `pid ${e.leftover.pid} (${e.leftover.command}), started in ${e.leftover.startedIn}`);
  return seen.size ? [...seen.values()].join('; ') : undefined;
}
