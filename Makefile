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
PYTHON_WASM := runtimes/build/python.wasm

.PHONY: setup run test bench lint system-packages build precompile

setup: system-packages $(PYTHON_WASM) build precompile

run: setup
	$(BIN) serve

test: setup
	$(CARGO) test --release --locked

bench: setup
	$(BIN) bench

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --locked --all-targets -- -D warnings

# Debian packages: a C toolchain for the -sys crates, venv for componentize-py.
system-packages:
	@missing=""; \
	command -v cc >/dev/null || missing="$$missing build-essential"; \
	command -v $(PYTHON) >/dev/null || missing="$$missing python3"; \
	$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi; \
	command -v $(CARGO) >/dev/null || { echo "Rust is missing: install it with rustup (Rust 1.95)"; exit 1; }

$(VENV)/bin/componentize-py:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet componentize-py==$(COMPONENTIZE_PY_VERSION)

# CPython as a WebAssembly component, snapshotted after importing the stdlib.
$(PYTHON_WASM): runtimes/python/app.py runtimes/wit/interpreter.wit $(VENV)/bin/componentize-py
	mkdir -p $(dir $@)
	cd runtimes/python && .venv/bin/componentize-py --quiet -d ../wit -w interpreter \
		componentize app -o ../build/python.wasm.partial
	mv $@.partial $@

build:
	$(CARGO) build --release --locked

# Compile the runtimes to native code once, so the server starts in milliseconds.
precompile: build $(PYTHON_WASM)
	$(BIN) precompile
