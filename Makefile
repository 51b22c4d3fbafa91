# kep: `make demo` and `make test` work on a fresh Debian machine; they make .venv themselves.
SHELL := /bin/bash
# Debian's python3 (the binary is built with the Debian packages' CPython); any python3.11+ works for the rest.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test demo bench clean
venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "kep needs Python 3.11+"'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || build/apt-install python3-venv
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

test: $(STAMP)
	$(PY) -m pytest -q

demo: $(STAMP)
	$(PY) -m tests.demo

# A fake API server to try kep against (README "Try it"): namespace openstack seeded, its
# kubeconfig in .fake-api/; it runs in the foreground until Ctrl-C.
.PHONY: fake-api
fake-api: $(STAMP)
	@$(PY) -m tests.fakeapi --state-dir .fake-api --seed openstack

# Figures of waiting (docs/benchmarks.md); bench/load.py alone takes about 3 minutes.
bench: $(STAMP)
	$(PY) bench/startup.py
	$(PY) bench/latency.py
	$(PY) bench/simultaneous.py
	$(PY) bench/memory.py
	$(PY) bench/signals.py
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) dist build/work

-include build/binary.mk
