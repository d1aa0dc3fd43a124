// expect(fn).toLoad(globs): every listed shared object was loaded at run time
// (dlopen: process.dlopen of a .node addon, a library a child loads). A
// pattern with a '/' is a path glob; one without matches the file's name
// ('*.node', 'libz.so*'). Fails with the reason when load events are
// unavailable for the worker.
import { expectAllSeen } from './families.js';
import { ofKinds } from './select.js';

export const toLoad = expectAllSeen({
  signature: 'toLoad(globs)',
  words: ['Expected to load', 'Never loaded', 'Loaded', 'load(s)'],
  attempts: ofKinds('load'),
  subject: 'library',
  // dlopen's result is not recorded: an attempt is a load.
  done: () => true,
  needs: ['load'],
});
