# `make binary`: dist/kep, one file that needs nothing from the host (see docs-binary.md).
# `make image`:  the FROM scratch image (Dockerfile.scratch) built with podman.
# `make bench-binary`: the figures of docs-binary.md. `make bench-cluster`: bench/cluster.py (real cluster).
# Included by the top Makefile, which defines PYTHON (Debian's python3 when present), VENV, PY, STAMP.
# Both targets install what they need: Debian packages via build/apt-install (root or sudo),
# Python build tools into build/work/venv.

BUILD_DIR := build/work
BUILD_VENV := $(BUILD_DIR)/venv
BUILD_PY := $(BUILD_VENV)/bin/python
BUILD_STAMP := $(BUILD_VENV)/.installed
BINARY := dist/kep
IMAGE ?= localhost/kep:latest
export CONTAINERS_CONF := $(CURDIR)/build/containers.conf
PODMAN := podman
# PyInstaller needs Python's shared library; Debian ships it as libpython3.X.
PYTHON_MM = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
BINARY_DEBS = python3-venv libpython$(PYTHON_MM) binutils patchelf gcc libc6-dev musl-tools
IMAGE_DEBS = podman runc catatonit
KEP_SOURCES := kep.py $(shell find kep -name '*.py' 2>/dev/null)
BINARY_INPUTS := build/kep.spec build/pyi_rth_kep.py build/launcher.c build/bundle.py

.PHONY: binary image binary-deps image-deps bench-binary bench-cluster

binary: $(BINARY)

binary-deps: $(BUILD_STAMP)

$(BUILD_STAMP): build/requirements.txt pyproject.toml
	build/apt-install $(BINARY_DEBS)
	rm -rf $(BUILD_VENV)
	$(PYTHON) -m venv $(BUILD_VENV)
	$(BUILD_PY) -m pip install -q --upgrade pip
	$(BUILD_PY) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > $(BUILD_DIR)/runtime-requirements.txt
	$(BUILD_PY) -m pip install -q -r build/requirements.txt -r $(BUILD_DIR)/runtime-requirements.txt
	@touch $@

$(BINARY): $(BUILD_STAMP) $(KEP_SOURCES) $(BINARY_INPUTS)
	musl-gcc -static -Os -s -Wall -Wextra -Werror -o $(BUILD_DIR)/launcher build/launcher.c
	$(BUILD_PY) -m PyInstaller --noconfirm --log-level WARN --distpath $(BUILD_DIR)/dist --workpath $(BUILD_DIR)/pyinstaller build/kep.spec
	$(BUILD_PY) build/bundle.py $(BUILD_DIR)/dist/kep $(BUILD_DIR)/launcher $@

image-deps:
	build/apt-install $(IMAGE_DEBS)

# The image it replaces is removed if no other tag or image uses it.
# The context holds only what the image gets: the binary, and a tar (modes and links
# survive ADD, not COPY) with /tmp (1777) and /usr/local/bin/kep -> kubernetes-entrypoint.
image: $(BINARY) image-deps
	rm -rf $(BUILD_DIR)/image && mkdir -p $(BUILD_DIR)/image/root/tmp $(BUILD_DIR)/image/root/usr/local/bin
	chmod 1777 $(BUILD_DIR)/image/root/tmp
	ln -s kubernetes-entrypoint $(BUILD_DIR)/image/root/usr/local/bin/kep
	tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C $(BUILD_DIR)/image/root -cf $(BUILD_DIR)/image/skeleton.tar tmp usr
	ln $(BINARY) $(BUILD_DIR)/image/kep
	@old=$$($(PODMAN) image inspect --format '{{.Id}}' $(IMAGE) 2>/dev/null); set -e; \
	version=$$($(PYTHON) -c 'import re; print(re.search(r"__version__ = \"(.*)\"", open("kep/__init__.py").read())[1])'); \
	echo "$(PODMAN) build -f Dockerfile.scratch -t $(IMAGE) $(BUILD_DIR)/image"; \
	$(PODMAN) build --quiet --layers=false --build-arg VERSION=$$version -f Dockerfile.scratch -t $(IMAGE) $(BUILD_DIR)/image; \
	new=$$($(PODMAN) image inspect --format '{{.Id}}' $(IMAGE)); \
	if [ -n "$$old" ] && [ "$$old" != "$$new" ] && [ "$$($(PODMAN) image inspect --format '{{len .RepoTags}}' $$old)" = 0 ]; then \
		$(PODMAN) rmi "$$old" >/dev/null 2>&1 || true; fi

bench-binary: image $(STAMP)
	$(PY) bench/binary.py --image $(IMAGE)

# kep and the Go reference as init containers in the real cluster (../shared/cluster, root): one run, ratios.
bench-cluster: image $(STAMP)
	$(PY) bench/cluster.py --image $(IMAGE)
