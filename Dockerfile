# judgebox in a container: `docker build -t judgebox .` then
# `docker run -p 8000:8000 -v judgebox-data:/var/lib/judgebox judgebox`.
# The runtime is precompiled at build time, so a cold start takes milliseconds
# (scale-to-zero friendly) on the same CPU family; on a different one it is
# compiled once at start and the server logs a warning.
#
# The base images are build arguments, so that a machine without Docker Hub
# can build from local ones (e.g. a Debian made with debootstrap and
# `podman import`, with Rust installed by rustup).
ARG BUILD_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
# What `make setup` would install (its system-packages target), in a layer
# of its own so that a change to the sources does not install it again:
# python3 and venv for componentize-py; clang, wasi-libc and libc++ for
# QuickJS and the C/C++ headers; Node and npm for the pages' editor; the
# JDK; Rust's WASI 0.2 target.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
        clang-19 llvm-19 lld-19 wasi-libc libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 \
        libclang-rt-19-dev-wasm32 nodejs npm openjdk-17-jdk-headless \
    && rm -rf /var/lib/apt/lists/* \
    && rustup target add wasm32-wasip2
WORKDIR /src
COPY . .
# Cargo's downloads and build directories are caches kept between builds
# (BuildKit and Buildah both keep them), so a rebuild compiles only what
# changed; the binary is copied out of them.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/var/cache/judgebox \
    make setup && cp /var/cache/judgebox/target/release/judgebox /usr/local/bin/judgebox \
    && strip /usr/local/bin/judgebox \
    && rm -rf runtimes/build/cache/*/*.pch runtimes/build/cache/*/*.gch

FROM ${RUNTIME_IMAGE}
# Compilers run at request time, inside the native sandbox: clang for C and
# C++ to WebAssembly, g++ for C and C++ that WASI cannot build, and the JDK
# for Java. Not all untrusted code runs in WebAssembly: Java programs and
# what g++ builds run natively, in the native sandbox's layers.
RUN apt-get update \
    && apt-get install -y --no-install-recommends clang-19 lld-19 wasi-libc \
        libc++-19-dev-wasm32 libc++abi-19-dev-wasm32 libclang-rt-19-dev-wasm32 \
        g++ openjdk-17-jdk-headless \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /var/lib/judgebox --create-home judgebox
COPY --from=build /usr/local/bin/judgebox /usr/local/bin/judgebox
COPY --from=build /src/runtimes/build /opt/judgebox/runtimes
ENV JUDGEBOX_BIND=0.0.0.0:8000 \
    JUDGEBOX_RUNTIMES_DIR=/opt/judgebox/runtimes \
    JUDGEBOX_CACHE_DIR=/opt/judgebox/runtimes/cache \
    JUDGEBOX_RUNS_DIR=/var/lib/judgebox/runs \
    DATABASE_URL=sqlite:///var/lib/judgebox/judgebox.db
# The precompiled headers are keyed by where the toolchain and our headers
# are, which moved (the build stage's are left behind): made here, with this
# image's compilers, they are ready at start-up instead of built then (20 s
# of a cold start).
RUN JUDGEBOX_RUNS_DIR=/tmp/judgebox-runs judgebox precompile && rm -rf /tmp/judgebox-runs
# The service writes compiled programs into the cache's folders; the
# precompiled runtimes and headers in them stay root's.
RUN chown judgebox:judgebox /opt/judgebox/runtimes/cache /opt/judgebox/runtimes/cache/*/
# Unprivileged: the native sandbox's run-uid and cgroup layers are off here
# (a container's /sys/fs/cgroup is read-only and its root's);
# seccomp, rlimits, Landlock where the kernel has it, and namespaces where the
# container runtime allows unprivileged user namespaces (Podman's default
# seccomp profile does, Docker's does not) hold: docs/security.md says which.
USER judgebox
VOLUME /var/lib/judgebox
EXPOSE 8000
ENTRYPOINT ["judgebox"]
CMD ["serve"]
