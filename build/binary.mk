# `make binary [ARCH=amd64|arm64]`: dist/linux-ARCH/kep, one file that needs nothing from the
#   host, and its CycloneDX SBOM dist/linux-ARCH/kep.cdx.json; for this machine's ARCH also
#   dist/kep (the same file). Another ARCH is built in a Debian root of that architecture
#   under qemu (build/foreign-make), made once and cached in FOREIGN_ROOT.
# `make image [ARCH=...]`: the FROM scratch image (Dockerfile.scratch) built with podman.
# `make image-multiarch`: both images and one manifest list, MANIFEST.
# `make dist`: the release set in dist/release: both binaries and SBOMs, an OCI archive of
#   the multi-arch image, SHA256SUMS.
# `make bench-binary`: the figures of the README's binary section. `make bench-cluster`: bench/cluster.py (real cluster).
# Included by the top Makefile, which defines PYTHON (Debian's python3 when present), VENV, PY, STAMP.
# Everything installs what it needs: Debian packages via build/apt-install (root or sudo),
# Python build tools into build/work/ARCH/venv, the SBOM generator into build/work/ARCH/sbom-venv.
# Builds are reproducible: the same commit gives the same bytes (SOURCE_DATE_EPOCH is the
# commit's date, PYTHONHASHSEED fixes PyInstaller's order, nothing else reads the clock).

ARCHES := amd64 arm64
HOST_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
ARCH ?= $(HOST_ARCH)
ifneq ($(filter-out $(ARCHES),$(ARCH))$(words $(ARCH)),1)
$(error ARCH=$(ARCH) is not supported: use one of $(ARCHES))
endif

BUILD_DIR := build/work/$(ARCH)
BUILD_VENV ?= $(BUILD_DIR)/venv
BUILD_PY := $(BUILD_VENV)/bin/python
BUILD_STAMP := $(BUILD_VENV)/.installed
SBOM_VENV ?= $(BUILD_DIR)/sbom-venv
SBOM_STAMP := $(SBOM_VENV)/.installed
OUT := dist/linux-$(ARCH)
BINARY := $(OUT)/kep
SBOM := $(OUT)/kep.cdx.json
FOREIGN_ROOT ?= $(HOME)/.cache/kep/root-$(ARCH)
IMAGE ?= localhost/kep:$(if $(filter $(ARCH),$(HOST_ARCH)),latest,latest-$(ARCH))
MANIFEST ?= localhost/kep:multiarch
RELEASE := dist/release
export CONTAINERS_CONF := $(CURDIR)/build/containers.conf
PODMAN := podman

# What the binary says it is (kep --version, the SBOM, the image labels). Computed once, on
# this machine: a build in a foreign root is given them on its command line.
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' kep/__init__.py)
ifeq ($(origin KEP_COMMIT),undefined)
KEP_COMMIT := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)$(shell git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo -dirty)
endif
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
endif
export SOURCE_DATE_EPOCH
SOURCE_URL ?= $(shell git remote get-url origin 2>/dev/null)

# PyInstaller needs Python's shared library; Debian ships it as libpython3.X.
PYTHON_MM = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
BINARY_DEBS = python3-venv libpython$(PYTHON_MM) binutils patchelf gcc libc6-dev musl-tools
IMAGE_DEBS = podman runc catatonit
KEP_SOURCES := kep.py $(shell find kep -name '*.py' 2>/dev/null)
BINARY_INPUTS := build/kep.spec build/pyi_rth_kep.py build/launcher.c build/bundle.py build/sbom.py $(BUILD_DIR)/buildinfo/_kep_build.py

.PHONY: binary image binary-deps image-deps image-multiarch dist bench-binary test-probe FORCE bench-cluster

ifeq ($(ARCH),$(HOST_ARCH))
binary: $(BINARY) dist/kep

dist/kep: $(BINARY)
	ln -f $< $@
else
binary: $(BINARY)
endif

binary-deps: $(BUILD_STAMP) $(SBOM_STAMP)

$(BUILD_STAMP): build/requirements.txt pyproject.toml
	build/apt-install $(BINARY_DEBS)
	rm -rf $(BUILD_VENV)
	$(PYTHON) -m venv $(BUILD_VENV)
	$(BUILD_PY) -m pip install -q --upgrade pip
	$(BUILD_PY) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > $(BUILD_DIR)/runtime-requirements.txt
	$(BUILD_PY) -m pip install -q -r build/requirements.txt -r $(BUILD_DIR)/runtime-requirements.txt
	@touch $@

# The SBOM generator has a venv of its own: its dependencies (chardet among them) must not
# be where PyInstaller and requests look.
$(SBOM_STAMP): build/sbom-requirements.txt
	build/apt-install python3-venv
	rm -rf $(SBOM_VENV)
	$(PYTHON) -m venv $(SBOM_VENV)
	$(SBOM_VENV)/bin/python -m pip install -q -r build/sbom-requirements.txt
	@touch $@

# Rewritten only when the commit or its date changes, so an unchanged tree is not rebuilt.
$(BUILD_DIR)/buildinfo/_kep_build.py: FORCE
	@$(PYTHON) build/buildinfo.py $(@D) $(KEP_COMMIT) $(SOURCE_DATE_EPOCH)

ifeq ($(ARCH),$(HOST_ARCH))
# From nothing each time (no PyInstaller cache of an older tree), so the bytes depend on the sources only.
$(BINARY): $(BUILD_STAMP) $(SBOM_STAMP) $(KEP_SOURCES) $(BINARY_INPUTS)
	musl-gcc -static -Os -s -Wall -Wextra -Werror -o $(BUILD_DIR)/launcher build/launcher.c -Wl,-t > $(BUILD_DIR)/launcher.inputs
	rm -rf $(BUILD_DIR)/pyinstaller $(BUILD_DIR)/dist
	KEP_BUILD_DIR=$(BUILD_DIR) PYTHONHASHSEED=0 $(BUILD_PY) -m PyInstaller --noconfirm --log-level WARN \
		--distpath $(BUILD_DIR)/dist --workpath $(BUILD_DIR)/pyinstaller build/kep.spec
	$(BUILD_PY) build/bundle.py $(BUILD_DIR)/dist/kep $(BUILD_DIR)/launcher $@
	$(SBOM_VENV)/bin/python build/sbom.py $(BUILD_PY) $(BUILD_DIR) $@ $(VERSION) $(KEP_COMMIT) $(SBOM)
else
# The same rule, run by make inside the foreign root (where ARCH is the host's).
$(BINARY): FORCE
	build/foreign-make $(ARCH) $(FOREIGN_ROOT) KEP_COMMIT=$(KEP_COMMIT) SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $@
endif

image-deps:
	build/apt-install $(IMAGE_DEBS)

# The binary tests' static probe program (tests/binary/probe.c), for ARCH.
test-probe: $(BUILD_DIR)/probe
ifeq ($(ARCH),$(HOST_ARCH))
$(BUILD_DIR)/probe: tests/binary/probe.c
	build/apt-install musl-tools
	mkdir -p $(@D) && musl-gcc -static -Os -s -Wall -Werror -o $@ $<
else
$(BUILD_DIR)/probe: FORCE
	build/foreign-make $(ARCH) $(FOREIGN_ROOT) $@
endif

# The image it replaces is removed if no other tag or image uses it.
# The context holds only what the image gets: the binary, its SBOM (where trivy and grype
# look for one: a *.cdx.json file), and a tar (modes and links survive ADD, not COPY) with
# /tmp (1777) and /usr/local/bin/kep -> kubernetes-entrypoint.
# Labels and annotations say what it is (org.opencontainers.image.*); --timestamp makes it reproducible.
OCI_META = version=$(VERSION) revision=$(KEP_COMMIT) source=$(SOURCE_URL) licenses=Apache-2.0 \
	created=$(shell date -u -d @$(SOURCE_DATE_EPOCH) +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)
image: $(BINARY) image-deps
	rm -rf $(BUILD_DIR)/image && mkdir -p $(BUILD_DIR)/image/root/tmp $(BUILD_DIR)/image/root/usr/local/bin
	chmod 1777 $(BUILD_DIR)/image/root/tmp
	ln -s kubernetes-entrypoint $(BUILD_DIR)/image/root/usr/local/bin/kep
	tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C $(BUILD_DIR)/image/root -cf $(BUILD_DIR)/image/skeleton.tar tmp usr
	ln $(BINARY) $(BUILD_DIR)/image/kep
	cp $(SBOM) $(BUILD_DIR)/image/kep.cdx.json
	@old=$$($(PODMAN) image inspect --format '{{.Id}}' $(IMAGE) 2>/dev/null); set -e; \
	echo "$(PODMAN) build --platform linux/$(ARCH) -f Dockerfile.scratch -t $(IMAGE) $(BUILD_DIR)/image"; \
	$(PODMAN) build --quiet --layers=false --platform linux/$(ARCH) --timestamp $(SOURCE_DATE_EPOCH) \
		$(foreach m,$(OCI_META),--build-arg $(m) --annotation org.opencontainers.image.$(m)) \
		-f Dockerfile.scratch -t $(IMAGE) $(BUILD_DIR)/image; \
	new=$$($(PODMAN) image inspect --format '{{.Id}}' $(IMAGE)); \
	if [ -n "$$old" ] && [ "$$old" != "$$new" ] && [ "$$($(PODMAN) image inspect --format '{{len .RepoTags}}' $$old)" = 0 ]; then \
		$(PODMAN) rmi "$$old" >/dev/null 2>&1 || true; fi

# One manifest list with both images (each also tagged MANIFEST-ARCH).
image-multiarch:
	$(foreach a,$(ARCHES),$(MAKE) --no-print-directory image ARCH=$(a) IMAGE=$(MANIFEST)-$(a) &&) true
	-$(PODMAN) manifest rm $(MANIFEST) >/dev/null 2>&1
	$(PODMAN) manifest create $(MANIFEST)
	$(foreach a,$(ARCHES),$(PODMAN) manifest add $(MANIFEST) containers-storage:$(MANIFEST)-$(a) &&) true

# The release set: what a user downloads, and SHA256SUMS to check it with `sha256sum -c`.
dist: image-multiarch
	rm -rf $(RELEASE) && mkdir -p $(RELEASE)
	$(foreach a,$(ARCHES),cp dist/linux-$(a)/kep $(RELEASE)/kep-$(VERSION)-linux-$(a) && \
		cp dist/linux-$(a)/kep.cdx.json $(RELEASE)/kep-$(VERSION)-linux-$(a).cdx.json &&) true
	$(PODMAN) manifest push --all --format oci $(MANIFEST) oci-archive:$(RELEASE)/kep-$(VERSION)-image.oci.tar
	cd $(RELEASE) && sha256sum kep-* > SHA256SUMS
	@cat $(RELEASE)/SHA256SUMS

# Another ARCH runs under qemu: its times are emulation's, not that hardware's (no image timed).
ifeq ($(ARCH),$(HOST_ARCH))
bench-binary: image $(STAMP)
	$(PY) bench/binary.py --binary $(BINARY) --image $(IMAGE)
else
bench-binary: $(BINARY) $(STAMP)
	$(PY) bench/binary.py --binary $(BINARY)
endif

# kep and the Go reference as init containers in the real cluster (../shared/cluster, root): one run, ratios.
bench-cluster: image $(STAMP)
	$(PY) bench/cluster.py --image $(IMAGE)
