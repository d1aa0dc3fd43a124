#!/bin/busybox sh
# Guest init for test/vm/vm.mjs (packed into the initramfs as /init).
#
# Stage 1 runs as PID 1 from the initramfs: load the 9p/overlay modules, mount the host root
# (9p, read-only) under a tmpfs-backed overlay, mount the pseudo filesystems the BPF LSM
# backend needs, then switch_root into it. Stage 2 runs as PID 1 in that root, runs the
# command described by the host in the "out" share, records its exit status there and
# powers off. Any failure ends in poweroff (or a panic, and panic=-1 + -no-reboot), so the
# VM never lingers; the host reports what it saw.

if [ "$1" != stage2 ]; then
  /bin/busybox --install -s /bin
  export PATH=/bin
  die() { echo "vivarium-vm: init: $*"; sleep 0.2; poweroff -f; }

  mount -t proc proc /proc && mount -t sysfs sysfs /sys && mount -t devtmpfs devtmpfs /dev ||
    die "cannot mount proc/sysfs/devtmpfs"
  # Modules are named NN-name.ko so the glob yields dependency order.
  for m in /lib/modules/*.ko; do
    insmod "$m" || die "insmod $m failed"
  done

  p9=trans=virtio,version=9p2000.L,msize=262144
  mkdir -p /lower /out /rw /newroot
  # cache=loose: the lower layer is read-only for us, and lookups dominate Node's startup.
  mount -t 9p -o "$p9,ro,cache=loose" host /lower || die "cannot mount the host root (9p tag host)"
  mount -t 9p -o "$p9" out /out || die "cannot mount the results share (9p tag out)"
  . /out/config

  mount -t tmpfs -o mode=755 rw /rw && mkdir /rw/upper /rw/work || die "cannot mount tmpfs"
  mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
    die "cannot mount the overlay root"
  R=/newroot
  for d in proc sys dev; do mount --move /$d $R/$d || die "cannot move /$d"; done

  mount -t tmpfs -o mode=755 run $R/run
  [ "$VM_TMP" = host ] || mount -t tmpfs -o mode=1777 tmp $R/tmp
  mkdir -p $R/dev/pts $R/dev/shm
  mount -t devpts -o ptmxmode=666 devpts $R/dev/pts
  mount -t tmpfs -o mode=1777 shm $R/dev/shm
  mount -t bpf bpf $R/sys/fs/bpf || die "cannot mount bpffs"
  mount -t securityfs securityfs $R/sys/kernel/security || die "cannot mount securityfs"
  mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null
  [ -d $R/sys/kernel/debug ] && mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
  [ -d $R/sys/kernel/tracing ] && mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null

  # Stage 2 must not depend on tools from the host root: keep our busybox in /run.
  mkdir -p $R/run/vivarium-vm/out
  mount --move /out $R/run/vivarium-vm/out || die "cannot move the results share"
  cp /bin/busybox /init $R/run/vivarium-vm/
  exec switch_root $R /run/vivarium-vm/busybox sh /run/vivarium-vm/init stage2
  die "switch_root failed"
fi

# ---- stage 2 ----
D=/run/vivarium-vm
O=$D/out
B=$D/busybox
. $O/config
$B ip link set lo up 2>/dev/null
$B hostname vivarium-vm
# Expose the unpacked kernel package (visible through the host root) where tools look for the
# running kernel's config and modules: bpftool feature probe, modprobe (after depmod), ...
rel=$($B uname -r)
if [ -d "$KERNEL_DIR/lib/modules/$rel" ]; then
  $B mkdir -p /boot /lib/modules
  $B ln -sf "$KERNEL_DIR/boot/config-$rel" /boot/config-$rel
  $B ln -sfn "$KERNEL_DIR/lib/modules/$rel" /lib/modules/$rel
fi

# The command writes into a FIFO rather than the console so it sees a pipe, not a TTY (CI-style
# output); tee copies it to the console (streamed to the host) and to output.log on the share.
$B mkfifo $D/pipe
$B tee $O/output.log <$D/pipe &
tee_pid=$!
echo "@@VIVARIUM-VM-BEGIN-$NONCE@@"
$B env -i /bin/sh $O/run.sh </dev/null >$D/pipe 2>&1
rc=$?
echo $rc >$O/rc
# Background processes the command left behind may keep the FIFO open: give tee a moment to
# drain, then go on without it.
i=0
while [ $i -lt 20 ] && $B kill -0 $tee_pid 2>/dev/null; do $B sleep 0.1; i=$((i + 1)); done
$B sync
echo "@@VIVARIUM-VM-END-$NONCE rc=$rc@@"
$B sleep 0.1 # let the UART flush the last line
$B poweroff -f
