#!/usr/bin/env bash
# `make image-test`: builds the Dockerfile with Podman, starts the image,
# judges a program in every language through it, runs `judgebox doctor`
# inside, and prints the image size and the cold start (container start to
# the first judged Python answer).
#
# Docker Hub is out of reach here, so the base images are made locally: a
# Debian 12 from debootstrap (for debian:bookworm-slim) and, on it, Rust 1.95
# from rustup (for rust:1.95-bookworm, tests/image/rust-base.Containerfile).
# Both are kept in Podman's store and made only when missing. Podman runs
# with runc: crun refuses this machine's hybrid cgroup layout.
#
# Usage: bash tests/image-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=/var/cache/judgebox
DEBIAN_IMAGE=localhost/debian:bookworm-slim
RUST_IMAGE=localhost/rust:1.95-bookworm
IMAGE=localhost/judgebox:test
PORT=${JUDGEBOX_IMAGE_TEST_PORT:-18700}
# Podman's default rlimits are above this machine's hard limits, which runc
# then fails to set ("error setting rlimit type 7").
LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)

# Each tool is looked up as a file on PATH (`type -P`), so that a shell
# function or alias of the same name can never pass for it.
for tool in podman runc debootstrap; do
    type -P "$tool" >/dev/null || missing="${missing:-} $tool"
done
if [ -n "${missing:-}" ]; then
    echo "installing:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi
podman() { command podman --runtime runc "$@"; }

if ! podman image exists "$DEBIAN_IMAGE"; then
    rootfs=$CACHE/bookworm-rootfs
    if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
        rm -rf "$rootfs"
        debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian
        rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
    fi
    tar -C "$rootfs" -c . | podman import --change 'CMD ["bash"]' - "$DEBIAN_IMAGE"
fi

if ! podman image exists "$RUST_IMAGE"; then
    context=$(mktemp -d)
    mkdir "$context/ca"
    cp /usr/local/share/ca-certificates/*.crt "$context/ca/" 2>/dev/null || true
    podman build "${LIMITS[@]}" -t "$RUST_IMAGE" -f tests/image/rust-base.Containerfile "$context"
    rm -rf "$context"
fi

echo "building $IMAGE from the Dockerfile"
podman build "${LIMITS[@]}" -t "$IMAGE" \
    --build-arg BUILD_IMAGE="$RUST_IMAGE" --build-arg RUNTIME_IMAGE="$DEBIAN_IMAGE" .

container=judgebox-image-test
podman rm -f "$container" >/dev/null 2>&1 || true
trap 'podman rm -f "$container" >/dev/null 2>&1 || true' EXIT

base=http://127.0.0.1:$PORT
python_hello='{"language": "python", "code": "print(input())", "test_cases": [{"input": "hi\n", "expected_output": "hi\n"}]}'

# Default `podman run` settings, as an operator would start it: no extra
# capabilities, the runtime's default seccomp profile.
started=$(date +%s%N)
podman run -d --name "$container" "${LIMITS[@]}" -p "127.0.0.1:$PORT:8000" "$IMAGE" >/dev/null
until answer=$(curl -sf "$base/execute" -H 'Content-Type: application/json' -d "$python_hello"); do
    if ! podman container inspect -f '{{.State.Running}}' "$container" | grep -q true; then
        podman logs "$container"
        echo "the container stopped" >&2
        exit 1
    fi
    sleep 0.01
done
answered=$(date +%s%N)

python3 tests/image/judge_every_language.py "$base" "$answer"

echo
echo "== judgebox doctor, inside the container"
podman exec "$container" judgebox doctor

echo
echo "== judgebox doctor as root in the container (--user 0)"
podman run --rm "${LIMITS[@]}" --user 0 -e JUDGEBOX_RUNS_DIR=/tmp/judgebox-runs "$IMAGE" doctor || true

echo
echo "== figures"
podman image inspect -f '{{.Size}}' "$IMAGE" |
    awk '{ printf "image size: %.0f MB\n", $1 / 1e6 }'
awk -v ns=$((answered - started)) \
    'BEGIN { printf "cold start (podman run to the first judged Python answer): %.2f s\n", ns / 1e9 }'
