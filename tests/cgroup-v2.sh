#!/usr/bin/env bash
# `make cgroup-v2-test`: the native sandbox's tests (tests/native_sandbox.rs)
# on a cgroup v2 host, whatever this machine's own layout. Debian's kernel
# boots under QEMU with this machine's root file system shared read-only
# (9p), mounts the unified hierarchy alone at /sys/fs/cgroup
# (cgroup_no_v1=all, as on Debian 12 or Ubuntu 22.04 and later), and runs
# the tests twice, in cgroups made as systemd makes them for a unit with
# Delegate=yes: the service's processes in it, no controller enabled below:
#   1. as root;
#   2. as an unprivileged user (nobody, 65534), the cgroup delegated to it.
# JUDGEBOX_TEST_CGROUP=v2 makes the tests insist that the cgroup layer is
# on, in version 2.
#
# Without KVM (our machines have none that works), QEMU emulates the CPU:
# the tests take a few minutes, and their limits leave room for that.
#
# Usage: bash tests/cgroup-v2.sh            (boots the VM)
#        tests/cgroup-v2.sh --inside TESTS  (its PID 1, in the VM)
set -euo pipefail

if [ "${1:-}" = --inside ]; then
    tests=$2
    mount -t proc proc /proc
    mount -t sysfs sysfs /sys
    mount -t devtmpfs devtmpfs /dev
    mount -t tmpfs tmpfs /tmp
    mount -t tmpfs tmpfs /run
    mount -t cgroup2 cgroup2 /sys/fs/cgroup
    ip link set lo up 2>/dev/null || true
    cg=/sys/fs/cgroup
    # What systemd enables at the root for the units below.
    echo "+memory +pids" >$cg/cgroup.subtree_control
    run() { # run NAME UID: the tests in a new cgroup NAME, as UID (and its group)
        mkdir "$cg/$1"
        if [ "$2" != 0 ]; then
            chown "$2" "$cg/$1" "$cg/$1/cgroup.procs" "$cg/$1/cgroup.subtree_control" "$cg/$1/cgroup.threads"
        fi
        sh -c 'echo $$ >"$1/cgroup.procs"; shift
               exec setpriv --reuid="$1" --regid="$1" --clear-groups -- \
                   env -i PATH=/usr/bin:/bin TMPDIR=/tmp JUDGEBOX_TEST_CGROUP=v2 "$2" --test-threads=2' \
            sh "$cg/$1" "$2" "$tests"
    }
    if run judgebox.service 0 && run judgebox-user.service 65534; then
        echo "cgroup-v2-test: passed"
    else
        echo "cgroup-v2-test: failed"
    fi
    # The kernel reboots; QEMU, told -no-reboot, exits.
    echo b >/proc/sysrq-trigger
    sleep 60
fi

cd "$(dirname "$0")/.."
repo=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/judgebox/target}

missing=""
type -P qemu-system-x86_64 >/dev/null || missing+=" qemu-system-x86"
type -P cpio >/dev/null || missing+=" cpio"
dpkg -s busybox-static >/dev/null 2>&1 || missing+=" busybox-static"
compgen -G "/boot/vmlinuz-*" >/dev/null || missing+=" linux-image-amd64"
if [ -n "$missing" ]; then
    echo "installing:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi
kernel=$(ls /boot/vmlinuz-* | sort -V | tail -1)
version=${kernel#/boot/vmlinuz-}
modules=/lib/modules/$version

tests=$(cargo test --release --locked --test native_sandbox --no-run --message-format=json |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "native_sandbox" and m.get("executable"):
        print(m["executable"])')

# An initramfs of busybox and the modules that reach the shared root
# (virtio's PCI transport, 9p), loaded dependencies first.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/root/{bin,dev,proc,sys,newroot,modules}
cp /bin/busybox "$work/root/bin/"
loaded=" "
load() { # load MODULE: its dependencies (from modules.dep), then itself
    local path deps dep
    path=$(grep -E "^[^:]*/$1\.ko(\.[a-z]+)?:" "$modules/modules.dep" | head -1)
    deps=${path#*:}
    path=${path%%:*}
    for dep in $deps; do
        dep=${dep##*/}
        load "${dep%%.ko*}"
    done
    case "$loaded" in *" $1 "*) return ;; esac
    loaded+="$1 "
    cp "$modules/$path" "$work/root/modules/$(printf %02d "$(wc -w <<<"$loaded")")-${path##*/}"
}
for module in virtio_pci 9pnet_virtio 9p; do load "$module"; done
cat >"$work/root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
for module in /modules/*; do insmod "\$module"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=1048576,cache=loose host /newroot
umount /proc
exec switch_root /newroot /bin/bash "$repo/tests/cgroup-v2.sh" --inside "$tests"
EOF
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

echo "booting $kernel under QEMU (cgroup v2 only) to run $tests"
log=$work/console.log
timeout 1800 qemu-system-x86_64 -accel tcg,thread=multi -smp 2 -m 3072 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$work/initramfs.gz" \
    -append "console=ttyS0 quiet panic=-1 cgroup_no_v1=all" \
    -virtfs local,path=/,mount_tag=host,security_model=passthrough,readonly=on,multidevs=remap \
    | tee "$log"
grep -q "^cgroup-v2-test: passed" "$log"
