#!/bin/busybox sh
# /init of the kernel-test guest: load the SCSI, CD and controller modules, wait for the drives,
# run the guest tests, power off. Lines starting with "KT" are read by scripts/kernel/run.mjs.

/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/tmp
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

fail() {
  echo "KT-FATAL $*"
  poweroff -f
}

for name in $(cat /kt/modules.list); do
  insmod "/kt/modules/$name.ko" || fail "insmod $name failed"
done

# kt.drives=N on the kernel command line: how many optical drives the host attached.
drives=1
for arg in $(cat /proc/cmdline); do
  case "$arg" in kt.drives=*) drives="${arg#kt.drives=}" ;; esac
done
last=$((drives - 1))
waited=0
until [ -b "/dev/sr$last" ] && [ -c "/dev/sg$last" ]; do
  [ "$waited" -ge 300 ] && fail "no /dev/sr$last and /dev/sg$last after 30 s: $(ls /dev | tr '\n' ' ')"
  sleep 0.1
  waited=$((waited + 1))
done
echo "KT-READY drives=$drives after $((waited * 100)) ms"

cd /discrescue || fail "no /discrescue"
node test/kernel/guest.mjs
echo "KT-EXIT $?"
poweroff -f
