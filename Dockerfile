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
# `make setup` installs the rest (clang, wasi-libc, libc++ for wasm32, the
# wasm32-wasip2 Rust target); python3 and venv are for componentize-py.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ENV CARGO_TARGET_DIR=/src/target
RUN make setup

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
COPY --from=build /src/target/release/judgebox /usr/local/bin/judgebox
COPY --from=build /src/runtimes/build /opt/judgebox/runtimes
ENV JUDGEBOX_BIND=0.0.0.0:8000 \
    JUDGEBOX_RUNTIMES_DIR=/opt/judgebox/runtimes \
    JUDGEBOX_CACHE_DIR=/opt/judgebox/runtimes/cache \
    JUDGEBOX_RUNS_DIR=/var/lib/judgebox/runs \
    DATABASE_URL=sqlite:///var/lib/judgebox/judgebox.db
# Unprivileged: the native sandbox's uid, namespace and cgroup layers are off
# here; seccomp, and Landlock where the kernel has it, still hold (docs/security.md).
USER judgebox
VOLUME /var/lib/judgebox
EXPOSE 8000
ENTRYPOINT ["judgebox"]
CMD ["serve"]
