# kep: `make demo`, `make check` and `make test` work on a fresh Debian machine; they make .venv themselves.
SHELL := /bin/bash
# Debian's python3 (the binary is built with the Debian packages' CPython); any python3.11+ works for the rest.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv check test test-needs demo bench clean
venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "kep needs Python 3.11+"'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || build/apt-install python3-venv
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

# The fast tests, under 30 s on 2 cores; nothing but .venv, no root. Not run here (tests/conftest.py
# marks them): `real`, the real cluster and kube-apiserver, the one-file binary and its image,
# qemu; `slow`, kep as a process for seconds of its intervals, the reference programs (the Go
# entrypoint, kubectl), pip, timeouts of half a second or more.
check: $(STAMP)
	$(PY) -m pytest -q -m "not real and not slow"

# Every test: about 7 minutes on 2 cores, 5 more the first time (the arm64 root). Needs root
# (or sudo): it installs podman, qemu-user-static, debootstrap and the build's packages with
# apt-get, debootstraps an arm64 Debian root (cached in ~/.cache/kep), builds the binary and
# the image for amd64 and arm64, and starts a real single-node Kubernetes (../shared/cluster)
# for its last tests. Its last line says which real parts ran. KEP_REQUIRE_CLUSTER=1 (or CI=true)
# fails it when the full cluster cannot start, instead of running the API server alone.
TEST_NEEDS := make test: every test, about 7 minutes (5 more the first time). Needs root: installs podman \
	and qemu, debootstraps an arm64 root, builds both binaries and images, starts a real Kubernetes cluster. \
	The fast tests alone: make check.
test: test-needs $(STAMP)
	$(PY) -m pytest -q

test-needs:
	@echo "$(TEST_NEEDS)"

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
