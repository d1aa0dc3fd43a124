export { attach, type AttachOptions, type Attached } from './loader.js';
export { readStatus, formatStatus, type Status } from './status.js';
export { main } from './cli.js';
