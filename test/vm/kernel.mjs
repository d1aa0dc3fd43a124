// Kernel cache for test/vm/vm.mjs: fetches Debian kernel image packages with apt, unpacks them,
// and builds a busybox initramfs (cpio newc + gzip, written in JS) per kernel.
//
// Cache layout ($VIVARIUM_VM_CACHE, default /var/cache/vivarium-vm):
//   <package>_<version>/                  dpkg -x of the image package (boot/, lib/modules/)
//   <package>_<version>/initramfs-<hash>.cpio.gz
//                                         hash covers init.sh, busybox and the module set
//   <spec>.json                           last resolution of e.g. "6.1", used when apt can't resolve
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Short names accepted by --kernel, mapped to Debian (meta)packages. */
export const KERNELS = { '6.1': 'linux-image-amd64', '6.12': 'linux-image-6.12-amd64' };

/** Modules the guest needs (dependencies are resolved from each module's modinfo). */
const ROOT_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];
const INIT_SCRIPT = new URL('./init.sh', import.meta.url);

/** A harness failure: message names the fix; exitCode follows the CLI convention (README). */
export class VmError extends Error {
  constructor(message, exitCode = 125) {
    super(message);
    this.exitCode = exitCode;
  }
}

export function cacheRoot() {
  return process.env.VIVARIUM_VM_CACHE || '/var/cache/vivarium-vm';
}

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

function tryRun(cmd, args, opts) {
  try {
    return run(cmd, args, opts);
  } catch {
    return null;
  }
}

/** Which real image package and version does `meta` stand for (per the local apt lists)? */
function aptResolve(meta) {
  const show = (pkg) => tryRun('apt-cache', ['show', '--no-all-versions', pkg]);
  const info = show(meta);
  if (!info) return null;
  // A metapackage pins the versioned image package: "Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)".
  const dep = info.match(/^Depends: .*?\b(linux-image-\d\S*)(?: \(= ([^)]+)\))?/m);
  if (!dep) return { pkg: meta, version: info.match(/^Version: (.+)$/m)?.[1] }; // a real image package
  const version = dep[2] ?? show(dep[1])?.match(/^Version: (.+)$/m)?.[1];
  return version ? { pkg: dep[1], version } : null;
}

function resolvePackage(spec, log) {
  const meta = KERNELS[spec] ?? (spec.startsWith('linux-image-') ? spec : null);
  if (!meta) throw new VmError(`unknown kernel "${spec}" (use ${Object.keys(KERNELS).join(', ')} or a linux-image-* package)`);
  let found = aptResolve(meta);
  if (!found && process.getuid?.() === 0) {
    log(`apt-cache does not know ${meta}; running apt-get update`);
    tryRun('apt-get', ['update']);
    found = aptResolve(meta);
  }
  const memo = path.join(cacheRoot(), `${spec}.json`);
  if (!found && fs.existsSync(memo)) found = JSON.parse(fs.readFileSync(memo, 'utf8'));
  if (!found) throw new VmError(`cannot resolve ${meta} with apt-cache (run apt-get update; needs Debian apt sources)`);
  return { ...found, memo };
}

/** apt-get download + dpkg -x into the cache; atomic via rename so parallel runs are safe. */
function downloadKernel(pkg, version, dir, log) {
  const tmp = fs.mkdtempSync(path.join(cacheRoot(), '.dl-'));
  try {
    log(`downloading ${pkg} ${version}`);
    // The sandbox user (_apt) cannot write to a root-only cache dir; download as root instead.
    const dl = () => run('apt-get', ['download', '-o', 'APT::Sandbox::User=root', `${pkg}=${version}`], { cwd: tmp });
    try {
      dl();
    } catch {
      tryRun('apt-get', ['update']); // stale lists give 404s after a security update
      try {
        dl();
      } catch (e) {
        throw new VmError(`apt-get download ${pkg}=${version} failed (run apt-get update; needs access to deb.debian.org): ${String(e.stderr ?? e).trim().split('\n').pop()}`);
      }
    }
    const deb = fs.readdirSync(tmp).find((f) => f.endsWith('.deb'));
    run('dpkg', ['-x', path.join(tmp, deb), path.join(tmp, 'root')]);
    try {
      fs.renameSync(path.join(tmp, 'root'), dir);
    } catch (e) {
      if (!fs.existsSync(dir)) throw e; // otherwise another process won the race
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Index lib/modules/<rel>/kernel: module name -> file (.ko, .ko.xz or .ko.zst). */
function indexModules(moddir) {
  const index = new Map();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ko(\.xz|\.zst)?$/.test(e.name)) index.set(e.name.replace(/\.ko.*$/, '').replace(/-/g, '_'), p);
    }
  };
  walk(path.join(moddir, 'kernel'));
  return index;
}

function readModule(file) {
  const tool = file.endsWith('.xz') ? ['xz', 'xz-utils'] : file.endsWith('.zst') ? ['zstd', 'zstd'] : null;
  if (!tool) return fs.readFileSync(file);
  try {
    return execFileSync(tool[0], ['-dc', file], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.code === 'ENOENT') throw new VmError(`${tool[0]} not found (apt-get install -y ${tool[1]})`);
    throw e;
  }
}

/** Modules to insmod, dependencies first, skipping built-ins. Reads "depends=" from .modinfo. */
function moduleLoadOrder(moddir) {
  const builtin = new Set(
    fs.readFileSync(path.join(moddir, 'modules.builtin'), 'utf8').split('\n')
      .map((l) => path.basename(l).replace(/\.ko$/, '').replace(/-/g, '_')),
  );
  const index = indexModules(moddir);
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || builtin.has(name)) return;
    seen.add(name);
    const file = index.get(name);
    if (!file) throw new VmError(`kernel module ${name} not found under ${moddir} (unsupported kernel package?)`);
    const data = readModule(file);
    const at = data.indexOf('\0depends=');
    const deps = at < 0 ? '' : data.subarray(at + 9, data.indexOf(0, at + 9)).toString();
    for (const dep of deps.split(',').filter(Boolean)) visit(dep.replace(/-/g, '_'));
    order.push({ name, data });
  };
  ROOT_MODULES.forEach(visit);
  return order;
}

/** Serialize entries as a cpio "newc" archive. Entry: {name, mode, data?, rdev?: [maj, min]}. */
function cpio(entries) {
  const parts = [];
  const pad = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  let ino = 1;
  for (const e of [...entries, { name: 'TRAILER!!!', mode: 0 }]) {
    const data = e.data ?? Buffer.alloc(0);
    const name = Buffer.from(`${e.name}\0`);
    const [rmaj, rmin] = e.rdev ?? [0, 0];
    const fields = [ino++, e.mode, 0, 0, 1, 0, data.length, 0, 0, rmaj, rmin, name.length, 0];
    const header = Buffer.from(`070701${fields.map((v) => v.toString(16).padStart(8, '0')).join('')}`);
    parts.push(header, name, pad(header.length + name.length), data, pad(data.length));
  }
  return Buffer.concat(parts);
}

/**
 * Unpack the ELF vmlinux from a bzImage so qemu can boot it through its PVH entry point
 * (CONFIG_PVH): that skips real-mode setup and the in-guest decompressor, which under TCG
 * costs ~2.5 s per boot. Returns null when the payload can't be unpacked here (then boot the
 * bzImage as is).
 */
function extractVmlinux(vmlinuz, config, out) {
  if (fs.existsSync(out)) return out;
  if (!/^CONFIG_PVH=y$/m.test(fs.readFileSync(config, 'utf8'))) return null;
  const img = fs.readFileSync(vmlinuz);
  // x86 boot protocol: setup_sects at 0x1f1; payload_offset/length at 0x248, relative to the
  // protected-mode image after the setup sectors. The build appends the uncompressed size.
  const start = ((img[0x1f1] || 4) + 1) * 512 + img.readUInt32LE(0x248);
  const payload = img.subarray(start, start + img.readUInt32LE(0x24c));
  const size = payload.readUInt32LE(payload.length - 4);
  const tool = payload.subarray(0, 6).equals(Buffer.from('fd377a585a00', 'hex')) ? 'xz'
    : payload.readUInt32LE(0) === 0xfd2fb528 ? 'zstd'
      : payload[0] === 0x1f && payload[1] === 0x8b ? 'gzip' : null;
  if (!tool) return null;
  let elf;
  try {
    elf = execFileSync(tool, ['-dc'], { input: payload.subarray(0, -4), maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
  if (elf.length !== size || elf.readUInt32BE(0) !== 0x7f454c46) return null;
  fs.writeFileSync(`${out}.${process.pid}.tmp`, elf);
  fs.renameSync(`${out}.${process.pid}.tmp`, out);
  return out;
}

export function findBusybox() {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) {
    if (!fs.existsSync(p)) continue;
    // A dynamically linked busybox names its ELF interpreter near the start of the file.
    if (fs.readFileSync(p).subarray(0, 4096).includes('/ld-linux')) continue;
    return p;
  }
  throw new VmError('static busybox not found (apt-get install -y busybox-static)');
}

function buildInitramfs(dir, release) {
  const moddir = path.join(dir, 'lib/modules', release);
  const init = fs.readFileSync(INIT_SCRIPT);
  const busybox = fs.readFileSync(findBusybox());
  const modules = moduleLoadOrder(moddir);
  const hash = createHash('sha256').update(init).update(busybox);
  for (const m of modules) hash.update(m.name).update(m.data);
  const file = path.join(dir, `initramfs-${hash.digest('hex').slice(0, 12)}.cpio.gz`);
  if (fs.existsSync(file)) return { file, modules: modules.map((m) => m.name) };

  const DIR = 0o040755;
  const entries = ['bin', 'dev', 'lib', 'lib/modules', 'proc', 'sys'].map((name) => ({ name, mode: DIR }));
  // The kernel opens /dev/console for init before devtmpfs exists, so ship the node.
  entries.push({ name: 'dev/console', mode: 0o020600, rdev: [5, 1] });
  entries.push({ name: 'init', mode: 0o100755, data: init });
  entries.push({ name: 'bin/busybox', mode: 0o100755, data: busybox });
  modules.forEach((m, i) => entries.push({
    name: `lib/modules/${String(i).padStart(2, '0')}-${m.name}.ko`, mode: 0o100644, data: m.data,
  }));
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, gzipSync(cpio(entries)));
  fs.renameSync(tmp, file);
  return { file, modules: modules.map((m) => m.name) };
}

/**
 * Make sure kernel `spec` ("6.1", "6.12" or a linux-image-* package) is cached and has an
 * initramfs. Returns { pkg, version, release, dir, kernel, initrd, modules }; `kernel` is the
 * file for qemu -kernel (an unpacked PVH vmlinux when possible, else the bzImage).
 */
export function ensureKernel(spec, log = () => {}) {
  fs.mkdirSync(cacheRoot(), { recursive: true });
  const { pkg, version, memo } = resolvePackage(spec, log);
  const dir = path.join(cacheRoot(), `${pkg}_${version.replace(/:/g, '%')}`);
  if (!fs.existsSync(dir)) downloadKernel(pkg, version, dir, log);
  const release = fs.readdirSync(path.join(dir, 'lib/modules'))[0];
  const vmlinuz = path.join(dir, 'boot', `vmlinuz-${release}`);
  if (!fs.existsSync(vmlinuz)) throw new VmError(`${vmlinuz} missing (delete ${dir} and retry)`);
  const { file: initrd, modules } = buildInitramfs(dir, release);
  const vmlinux = extractVmlinux(vmlinuz, path.join(dir, 'boot', `config-${release}`), path.join(dir, `vmlinux-${release}`));
  fs.writeFileSync(memo, JSON.stringify({ pkg, version }));
  return { pkg, version, release, dir, kernel: vmlinux ?? vmlinuz, initrd, modules };
}
