// @vivarium/core/kernel: what vivariumd (and root tools) use to drive the
// kernel side. Workers never need it: they register through the socket.
export * from './map-spec.js';
export * from './observed-tgids.js';
export * from './pin-dir.js';
export * from './pinned-map.js';
export * from './typed-map.js';
export { koffi } from '../koffi.js';
export { closeFd, lastErrno, libbpfLibrary, libcLibrary, loadLibbpf, loadLibc, type MapCreateOptions } from '../native.js';
export { MAX_FDS, SOCKET, peerCredentials, peerPidfd, receiveWithFds, sendWithFds, type PeerCredentials } from '../unix-socket.js';
export * from '../protocol.js';
export { PAGE_SIZE, mapShared, pagesFor, type Mapping } from '../shared-memory.js';
