"""Write the CycloneDX SBOM of one built binary: what dist/.../kep really carries.

    python build/sbom.py BUILD_PY BUILD_DIR BINARY VERSION COMMIT OUTPUT

Run with the SBOM tool's own venv (cyclonedx-bom). Python packages come from
cyclonedx-py, which reads the build venv (BUILD_PY) with licenses and package URLs;
only those that something frozen into the binary belongs to are kept. What it cannot
see comes from the build's own record: BUILD_DIR/frozen.json (PyInstaller's modules
and files, with their paths on this machine, written by build/kep.spec) and
BINARY.record.json (every bundle entry and what build/bundle.py added from the machine).
Every file from the system is traced to its Debian package with `dpkg -S`, and its
version with `dpkg-query`: CPython, OpenSSL, zlib, the C library, and what the
launcher is statically linked from (BUILD_DIR/launcher.inputs, the linker's trace: musl). A file nobody owns is an error: the SBOM
is complete or not written. The timestamp is SOURCE_DATE_EPOCH (reproducible builds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from importlib import metadata
from pathlib import Path
from typing import Any

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL

CONTENTS = "_internal/"  # the PyInstaller contents directory, as bundle entries name it
LAUNCHER = "(launcher: statically linked)"  # where the launcher's C library sits: dist/kep's head
BOOTLOADER = "kep"  # PyInstaller's bootloader with its archive, as bundle entries name it
GENERATED = "_internal/base_library.zip"  # PyInstaller's zip of the standard library's start-up modules


def ask(python: str, expression: str) -> str:
    return subprocess.run([python, "-c", f"print({expression})"], capture_output=True, text=True, check=True).stdout.strip()


def python_owners(site_packages: str) -> dict[str, str]:
    """Resolved file path -> distribution name, for every distribution in the build venv."""
    owners: dict[str, str] = {}
    for dist in metadata.distributions(path=[site_packages]):
        for file in dist.files or ():
            owners[os.path.realpath(dist.locate_file(file))] = dist.metadata["Name"]
    return owners


def debian_owners(paths: set[str]) -> dict[str, str]:
    """Path -> Debian package (`name:arch`), in one `dpkg -S` call, then one more for what it missed:
    with /usr merged, dpkg may know /lib/x where the file is /usr/lib/x."""
    owners: dict[str, str] = {}
    for spelling in (lambda p: p, lambda p: p.removeprefix("/usr")):
        asked = {spelling(p): p for p in sorted(paths) if p not in owners}
        if not asked:
            break
        done = subprocess.run(["dpkg", "-S", *asked], capture_output=True, text=True)  # 1 when some are unknown
        for line in done.stdout.splitlines():
            packages, _, path = line.rpartition(": ")
            if path in asked and not packages.startswith("diversion"):
                owners[asked[path]] = packages.split(",")[0].strip()
    return owners


def debian_component(package: str, arch: str, distro: str) -> dict[str, Any]:
    fields = "${Package}\t${Version}\t${source:Package}\t${source:Version}\t${Architecture}"
    done = subprocess.run(["dpkg-query", "-W", "-f", fields, package], capture_output=True, text=True, check=True)
    name, version, source, source_version, pkg_arch = done.stdout.split("\t")
    qualifiers = {"arch": pkg_arch, "distro": distro}
    if source != name or source_version != version:
        qualifiers["upstream"] = source + (f"@{source_version}" if source_version != version else "")
    purl = PackageURL(type="deb", namespace="debian", name=name, version=version, qualifiers=qualifiers).to_string()
    return {"type": "library", "bom-ref": purl, "name": name, "version": version, "purl": purl,
            "properties": [{"name": "kep:debian:source", "value": f"{source} {source_version}"}]}


def bundle_origins(binary: Path, frozen: dict[str, Any], stdlib: str, pyinstaller: str) -> dict[str, str]:
    """Bundle entry -> the file on this machine it was made from."""
    frozen_files = {CONTENTS + dest: src for dest, src in frozen["files"]}
    special = {BOOTLOADER: pyinstaller, GENERATED: os.path.join(stdlib, "os.py")}
    origins: dict[str, str] = {}
    for name, origin in json.loads(Path(f"{binary}.record.json").read_text())["files"]:
        origin = special.get(name) or origin or frozen_files.get(name)
        if origin is None:
            raise SystemExit(f"sbom: {binary}: no record of where {name} comes from")
        origins[name] = os.path.realpath(origin)
    return origins


def launcher_inputs(build_dir: Path) -> list[str]:
    """The files the static launcher was linked from (the linker's trace), its own object left out."""
    return sorted({os.path.realpath(line) for line in (build_dir / "launcher.inputs").read_text().split()
                   if os.path.isfile(line) and not line.startswith(tempfile.gettempdir())})


def attribute(origins: dict[str, str], modules: set[str], linked: list[str], root: Path,
              py_owners: dict[str, str]) -> tuple[dict[str, list[str]], set[str]]:
    """(owner -> the bundle entries it is located at, every owner but kep): each owner a Python
    distribution or a Debian package (`name:arch`). Whatever belongs to nobody stops the build."""
    def is_kep(path: str) -> bool:  # kep's own sources, and files the build wrote (not the venvs)
        return path not in py_owners and path.startswith(f"{root}/")

    deb_owners = debian_owners({p for p in [*origins.values(), *modules, *linked] if p not in py_owners and not is_kep(p)})
    located: dict[str, list[str]] = defaultdict(list)
    for name, origin in sorted(origins.items()):
        owner = "kep" if is_kep(origin) else py_owners.get(origin) or deb_owners.get(origin)
        if owner is None:
            raise SystemExit(f"sbom: {name} ({origin}) belongs to no Python distribution or Debian package")
        located[owner].append(name)
    located["kep"].append(BOOTLOADER)  # PyInstaller's bootloader, followed by kep's archive of modules
    for path in linked:
        if path not in deb_owners:
            raise SystemExit(f"sbom: the launcher is linked from {path}, which belongs to no Debian package")
        located[deb_owners[path]] += [] if LAUNCHER in located[deb_owners[path]] else [LAUNCHER]
    owners = set(located) - {"kep"}
    for module in sorted(m for m in modules if not is_kep(m)):
        owner = py_owners.get(module) or deb_owners.get(module)
        if owner is None:
            raise SystemExit(f"sbom: frozen module {module} belongs to no Python distribution or Debian package")
        owners.add(owner)
    return located, owners


def compose(generated: dict[str, Any], located: dict[str, list[str]], owners: set[str], version: str,
            commit: str) -> dict[str, Any]:
    """cyclonedx-py's SBOM of the build venv, cut down to the owners, with the Debian packages added."""
    python = {c["name"]: c for c in generated["components"]}
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    distro = "debian-" + Path("/etc/debian_version").read_text().split(".")[0].strip()

    def with_evidence(component: dict[str, Any], owner: str) -> dict[str, Any]:
        if located.get(owner):
            component["evidence"] = {"occurrences": [{"location": name} for name in located[owner]]}
        return component

    components = [with_evidence(python.get(o) or debian_component(o, arch, distro), o) for o in sorted(owners, key=str.lower)]
    kept = {c["bom-ref"] for c in components}
    main_component = with_evidence(generated["metadata"]["component"], "kep")
    main_component.update(version=version, purl=f"pkg:generic/kep@{version}",
                          properties=[{"name": "kep:commit", "value": commit}, {"name": "kep:arch", "value": arch}])
    dependencies = [{"ref": main_component["bom-ref"], "dependsOn": sorted(kept)}]
    for d in generated["dependencies"]:
        if d["ref"] in kept:
            on = [r for r in d.get("dependsOn", []) if r in kept]
            dependencies.append({"ref": d["ref"], "dependsOn": on} if on else {"ref": d["ref"]})
    return {**generated, "components": components, "dependencies": dependencies}


def main(build_py: str, build_dir_arg: str, binary_arg: str, version: str, commit: str, output: str) -> int:
    build_dir, binary = Path(build_dir_arg), Path(binary_arg)
    root = Path(__file__).resolve().parents[1]
    frozen = json.loads((build_dir / "frozen.json").read_text())
    origins = bundle_origins(binary, frozen, ask(build_py, "__import__('sysconfig').get_path('stdlib')"),
                             os.path.realpath(ask(build_py, "__import__('PyInstaller').__file__")))
    modules = {os.path.realpath(src) for _, src in frozen["modules"] if src and os.path.isabs(src)}
    py_owners = python_owners(ask(build_py, "__import__('sysconfig').get_path('purelib')"))
    located, owners = attribute(origins, modules, launcher_inputs(build_dir), root, py_owners)

    generated = subprocess.run([sys.executable, "-m", "cyclonedx_py", "environment", "--output-reproducible",
                                "--pyproject", str(root / "pyproject.toml"), build_py],
                               capture_output=True, text=True, check=True)
    bom = compose(json.loads(generated.stdout), located, owners, version, commit)
    text = json.dumps(bom, indent=1, sort_keys=True) + "\n"
    error = JsonStrictValidator(SchemaVersion.from_version(bom["specVersion"])).validate_str(text)
    if error:
        raise SystemExit(f"sbom: the SBOM does not validate: {error}")
    Path(output).write_text(text)
    print(f"sbom: {output}: {len(bom['components'])} components, {sum(map(len, located.values()))} files located")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 7:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
