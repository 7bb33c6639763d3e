# Seawall — two commands do all set-up on a fresh Debian/Ubuntu machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := mmdebstrap umoci skopeo buildah docker-registry rpm zstd jq busybox-static uidmap ruby openssl apache2-utils openssh-client nodejs libmaven3-core-java default-jre-headless gnupg chromium
SAMPLE := samples/alpine-311.docker.tar.gz

.PHONY: run test lint unit bench docs venv test-deps system-deps clean

$(BIN)/seawall: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e . --config-settings editable_mode=compat
	@touch $@

venv: $(BIN)/seawall

$(VENV)/.test-deps: $(BIN)/seawall
	$(BIN)/pip install -q -e '.[test,bench]'
	@touch $@

run: venv
	@$(BIN)/python -m compileall -q seawall  # as a pip install would: start-up without compiling
	$(BIN)/seawall sbom $(SAMPLE) --format table
	$(BIN)/seawall scan $(SAMPLE) --scanners vuln,config,secret

system-deps:
	@bash tools/install-system-deps.sh $(APT_PACKAGES)

test-deps: system-deps $(VENV)/.test-deps

lint: $(VENV)/.test-deps
	$(BIN)/ruff check seawall tests tools
	$(BIN)/ruff format --check seawall tests tools
	$(BIN)/mypy

unit: $(VENV)/.test-deps
	$(BIN)/pytest -q -n 2

test: test-deps lint unit

bench: test-deps
	$(BIN)/python -m compileall -q seawall
	$(BIN)/python tools/bench.py
	$(BIN)/python tools/bench_lint.py
	$(BIN)/python tools/bench_workload.py
	$(BIN)/python tools/bench_db.py
	$(BIN)/python tools/bench_match.py

docs: test-deps
	$(BIN)/python tools/gen_rule_docs.py
	$(BIN)/python tools/lint_diff.py --write docs/lint-vs-hadolint.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
