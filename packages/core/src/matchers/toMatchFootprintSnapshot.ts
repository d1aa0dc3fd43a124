// expect(fn).toMatchFootprintSnapshot(hint?): what fn and its children did to
// the operating system (its footprint: files read and written, programs run,
// endpoints and names reached), normalised to be the same on every machine,
// matches the runner's stored snapshot. Written, updated (-u) and reported
// obsolete as the runner's own snapshots are.
import { footprintSnapshotMatcher } from './footprint-snapshot.js';

export const toMatchFootprintSnapshot = footprintSnapshotMatcher({
  signature: 'toMatchFootprintSnapshot(hint)',
  match: (call, value, hint) => call.toMatchSnapshot(value, hint),
});
