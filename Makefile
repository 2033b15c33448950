# Quick start: `make run` serves on SQLite, `make test` runs the whole suite.
# Both set up what is missing first; every step is idempotent.

SHELL := /bin/bash
PYTHON ?= python3
# Build cache outside the clone, so fresh clones reuse compiled dependencies.
CARGO_TARGET_DIR ?= /var/cache/judgebox/target
export CARGO_TARGET_DIR
CARGO ?= cargo

BIN := $(CARGO_TARGET_DIR)/release/judgebox
VENV := runtimes/python/.venv
COMPONENTIZE_PY_VERSION := 0.25.1
# Schemathesis fuzzes the running server from its OpenAPI document.
SCHEMATHESIS_VERSION := 4.32.5
SCHEMATHESIS_VENV ?= /var/cache/judgebox/schemathesis-venv
SCHEMATHESIS := $(SCHEMATHESIS_VENV)/bin/schemathesis-$(SCHEMATHESIS_VERSION)
# The peers' real clients the tests drive judgebox's Jobe, Judge0 and Piston
# APIs with (tests/api/peers.rs): the Judge0 SDK in a venv, piston-client
# from npm through tests/peers/package-lock.json.
JUDGE0_SDK_VERSION := 0.0.8
PEER_CLIENTS_VENV ?= /var/cache/judgebox/peer-clients-venv
JUDGE0_SDK := $(PEER_CLIENTS_VENV)/judge0-$(JUDGE0_SDK_VERSION)
PISTON_CLIENT := tests/peers/node_modules/.package-lock.json
export PEER_CLIENTS_VENV
PYTHON_WASM := runtimes/build/python.wasm
JAVASCRIPT_WASM := runtimes/build/javascript.wasm
JAVASCRIPT_TARGET_DIR ?= /var/cache/judgebox/javascript-target
# Debian's wasi-libc, seen through a sysroot that holds nothing else, so that
# clang cannot pick up glibc's headers for QuickJS's C sources.
WASI_SYSROOT := runtimes/build/wasi-sysroot
CPP_INCLUDE := runtimes/build/include/bits/stdc++.h
# The pages' code editor (CodeMirror 6), one file that judgebox embeds.
WEB_BUNDLE := web/dist/editor.js
# npm writes this file on every install: it stamps web/node_modules.
WEB_MODULES := web/node_modules/.package-lock.json
# Cargo for the guest: rquickjs builds QuickJS's C with Debian's clang, not a
# downloaded WASI SDK.
# QuickJS's C gets the guest profile's -O3 and its switch dispatch (rquickjs
# defines EMSCRIPTEN on WASI). Measured and not kept: -O2, and computed-goto
# dispatch (-UEMSCRIPTEN): at most 3% fewer instructions, no time gain that
# stood out from noise.
JAVASCRIPT_CARGO := RQUICKJS_SYS_NO_WASI_SDK=1 CC_wasm32_wasip2=clang-19 AR_wasm32_wasip2=llvm-ar-19 \
	CFLAGS_wasm32_wasip2="--target=wasm32-wasi --sysroot=$(abspath $(WASI_SYSROOT))" \
	CARGO_TARGET_DIR=$(JAVASCRIPT_TARGET_DIR) $(CARGO)

.PHONY: peer-clients setup run test bench lint system-packages browser-packages build precompile check-deploy schemathesis image-test cgroup-v2-test

setup: system-packages $(PYTHON_WASM) $(JAVASCRIPT_WASM) $(CPP_INCLUDE) $(WEB_BUNDLE) build precompile

run: setup
	$(BIN) serve

# The whole suite on SQLite, then the API and page tests again on
# PostgreSQL, then the deploy/ manifests, then Schemathesis. The page tests
# drive headless Chromium and save screenshots.
SCREENSHOTS ?= $(CARGO_TARGET_DIR)/screenshots
test: setup browser-packages peer-clients
	JUDGEBOX_SCREENSHOTS=$(SCREENSHOTS) $(CARGO) test --release --locked
	JUDGEBOX_SCREENSHOTS=$(SCREENSHOTS)/postgres JUDGEBOX_TEST_POSTGRES_URL="$$(bash tests/postgres.sh)" \
		$(CARGO) test --release --locked --test api
	bash deploy/check.sh $(BIN)
	@echo "screenshots of the pages: $(SCREENSHOTS)"
	$(MAKE) schemathesis

# The release binary on a throw-away SQLite database, fuzzed from
# /openapi.json (tests/schemathesis.sh says how).
schemathesis: precompile $(SCHEMATHESIS)
	bash tests/schemathesis.sh $(BIN) $(SCHEMATHESIS)

bench: setup
	$(BIN) bench

# The Dockerfile built with Podman from locally made base images, started,
# and judged through in every language; prints the image size and the cold
# start (tests/image-test.sh).
image-test:
	bash tests/image-test.sh

# The native sandbox's tests on a cgroup v2 kernel under QEMU, as root and
# as an unprivileged user (tests/cgroup-v2.sh), whatever this machine's
# own cgroup layout.
cgroup-v2-test:
	bash tests/cgroup-v2.sh

# Validates deploy/: YAML, Kubernetes schemas, references between files, the
# setting names against this binary's --help, and the systemd units.
check-deploy: build
	bash deploy/check.sh $(BIN)

lint: $(JAVASCRIPT_WASM) $(WEB_BUNDLE)
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --locked --all-targets -- -D warnings
	cd runtimes/javascript && $(CARGO) fmt -- --check
	cd runtimes/javascript && $(JAVASCRIPT_CARGO) clippy --release --locked -- -D warnings

# Debian packages: a C toolchain for the -sys crates, venv for componentize-py,
# clang/llvm/lld 19, wasi-libc and libc++ for wasm32 (QuickJS, C and C++
# submissions), Node and npm to bundle the pages' editor; and Rust's WASI 0.2
# target.
# Debian's Chromium and its WebDriver, for the page tests only.
browser-packages:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		echo "installing: chromium chromium-driver"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

system-packages:
	@missing=""; \
	command -v cc >/dev/null || missing="$$missing build-essential"; \
	command -v $(PYTHON) >/dev/null || missing="$$missing python3"; \
	$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	command -v clang-19 >/dev/null || missing="$$missing clang-19"; \
	command -v llvm-ar-19 >/dev/null || missing="$$missing llvm-19"; \
	[ -f /usr/include/wasm32-wasi/stdio.h ] || missing="$$missing wasi-libc"; \
	command -v wasm-ld-19 >/dev/null || missing="$$missing lld-19"; \
	command -v javac >/dev/null || missing="$$missing openjdk-17-jdk-headless"; \
	[ -f /usr/lib/wasm32-wasi/libc++.a ] || missing="$$missing libc++-19-dev-wasm32 libc++abi-19-dev-wasm32"; \
	[ -f /usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a ] || missing="$$missing libclang-rt-19-dev-wasm32"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi; \
	command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it with rustup (Rust 1.95)"; exit 1; }; \
	rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2

peer-clients: $(JUDGE0_SDK) $(PISTON_CLIENT)

# A stamp named by the version, so that changing the pin installs it.
$(JUDGE0_SDK):
	$(PYTHON) -m venv $(PEER_CLIENTS_VENV)
	$(PEER_CLIENTS_VENV)/bin/pip install --quiet judge0==$(JUDGE0_SDK_VERSION)
	touch $@

$(PISTON_CLIENT): tests/peers/package.json tests/peers/package-lock.json
	cd tests/peers && npm ci --no-audit --no-fund --quiet

# The executable is named by its version, so that changing the pin installs it.
$(SCHEMATHESIS):
	$(PYTHON) -m venv $(SCHEMATHESIS_VENV)
	$(SCHEMATHESIS_VENV)/bin/pip install --quiet schemathesis==$(SCHEMATHESIS_VERSION)
	ln -sfn schemathesis $@

$(VENV)/bin/componentize-py:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet componentize-py==$(COMPONENTIZE_PY_VERSION)

# CPython as a WebAssembly component, snapshotted after importing the stdlib.
$(PYTHON_WASM): runtimes/python/app.py runtimes/wit/interpreter.wit $(VENV)/bin/componentize-py
	mkdir -p $(dir $@)
	cd runtimes/python && .venv/bin/componentize-py --quiet -d ../wit -w interpreter \
		componentize app -o ../build/python.wasm.partial
	mv $@.partial $@

# QuickJS-NG with the Node-style prelude, as a WASI 0.2 component; judgebox
# snapshots it with Wizer when it precompiles it.
$(JAVASCRIPT_WASM): runtimes/javascript/Cargo.toml runtimes/javascript/Cargo.lock \
		runtimes/javascript/.cargo/config.toml runtimes/javascript/src/lib.rs \
		runtimes/javascript/src/prelude.js runtimes/wit/interpreter.wit | $(WASI_SYSROOT)
	mkdir -p $(dir $@)
	cd runtimes/javascript && $(JAVASCRIPT_CARGO) build --release --locked
	cp $(JAVASCRIPT_TARGET_DIR)/wasm32-wasip2/release/judgebox_javascript.wasm $@.partial
	mv $@.partial $@

$(WASI_SYSROOT):
	mkdir -p $@/include $@/lib
	ln -sfn /usr/include/wasm32-wasi $@/include/wasm32-wasi
	ln -sfn /usr/lib/wasm32-wasi $@/lib/wasm32-wasi

# Our own headers for C++ submissions (libc++ has no <bits/stdc++.h>).
$(CPP_INCLUDE): runtimes/cpp/bits/stdc++.h | $(WASI_SYSROOT)
	mkdir -p $(dir $@)
	cp $< $@

# The npm packages exactly as web/package-lock.json pins them; no install
# scripts (esbuild runs without its optional postinstall).
$(WEB_MODULES): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# CodeMirror and its languages, and KaTeX for statement math, bundled by
# esbuild into minified files (editor.js, math.js), for the pages to work
# offline (no CDN).
$(WEB_BUNDLE): $(WEB_MODULES) $(wildcard web/src/*.js)
	cd web && npm run --silent build

build: $(WEB_BUNDLE)
	$(CARGO) build --release --locked

# Compile the runtimes to native code once, so the server starts in milliseconds.
precompile: build $(PYTHON_WASM) $(JAVASCRIPT_WASM) $(CPP_INCLUDE)
	$(BIN) precompile
