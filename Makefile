# narrator: `make run` and `make test` do every set-up step on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := espeak-ng libespeak-ng1 ffmpeg chromium curl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
EXAMPLE ?= examples/harbor-ferry.txt

.PHONY: run test system venv bench bench-tools kokoro-voice clean

run: venv
	mkdir -p out
	$(BIN)/narrate render $(EXAMPLE) -o out/example.mp3

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv bench-tools
	$(BIN)/python benchmarks/text_quality.py
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/audio.py
	$(BIN)/python benchmarks/batch.py
	$(BIN)/python benchmarks/service.py
	$(BIN)/python benchmarks/voices.py

## Add a Kokoro voice's style vectors to voices/kokoro from npm kokoro-js@1.2.1 (needs npm),
## with its sha256 in SHA256SUMS: make kokoro-voice KOKORO_VOICE=bf_isabella
KOKORO_JS := kokoro-js@1.2.1
kokoro-voice:
	@test -n "$(KOKORO_VOICE)" || { echo "give KOKORO_VOICE=<name>, e.g. bf_isabella"; exit 2; }
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack -q $(KOKORO_JS) >/dev/null && tar xzf kokoro-js-*.tgz) && \
	  cp $$tmp/package/voices/$(KOKORO_VOICE).bin voices/kokoro/ && rm -rf $$tmp
	cd voices/kokoro && grep -v " $(KOKORO_VOICE).bin$$" SHA256SUMS > SHA256SUMS.new; \
	  sha256sum $(KOKORO_VOICE).bin >> SHA256SUMS.new && mv SHA256SUMS.new SHA256SUMS

## Peers the benchmarks compare with (nginx) and the load generator (wrk).
bench-tools:
	@$(MAKE) --no-print-directory system APT_PACKAGES="nginx wrk"

## Debian packages the engines and the encoder need (installed only when missing).
system:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## The virtual environment with the package (editable) and the test tools.
venv: system $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench,check]'
	touch $@

clean:
	rm -rf $(VENV) out .pytest_cache
