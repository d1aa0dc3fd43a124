#!/usr/bin/env bash
# Everything Vivarium needs on a fresh Debian 12 / Ubuntu machine, as root:
# system packages, npm dependencies, bpffs, and the build. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "setup: run as root (sudo bash scripts/setup.sh): BPF programs need CAP_BPF and CAP_SYS_ADMIN" >&2
  exit 1
fi

if ! command -v node >/dev/null || [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "setup: Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

PACKAGES=(clang llvm make libbpf1 libbpf-dev bpftool qemu-system-x86 busybox-static cpio xz-utils zstd kmod strace sudo openssl curl)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Headless Chromium renders the HTML report in its test. Best effort: on
# Ubuntu the package is a snap wrapper that may not work in a container.
if ! command -v chromium >/dev/null; then
  say "apt-get install chromium (HTML report test)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || echo "setup: chromium could not be installed; the HTML report's browser test will skip (or fail in CI)" >&2
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
fi

if ! grep -qs ' /sys/fs/bpf bpf ' /proc/mounts; then
  say "mount bpffs on /sys/fs/bpf"
  mount -t bpf bpf /sys/fs/bpf
fi

say "build (BPF object + TypeScript)"
npm run --silent build
