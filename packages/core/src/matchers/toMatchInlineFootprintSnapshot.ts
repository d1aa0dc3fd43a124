// expect(fn).toMatchInlineFootprintSnapshot(snapshot?): fn's footprint (see
// toMatchFootprintSnapshot) matches the snapshot written in the call, which
// the runner writes there on the first run and updates with -u.
import { footprintSnapshotMatcher } from './footprint-snapshot.js';

export const toMatchInlineFootprintSnapshot = footprintSnapshotMatcher({
  signature: 'toMatchInlineFootprintSnapshot(snapshot)',
  match: (call, value, snapshot) => call.toMatchInlineSnapshot(value, snapshot),
});
