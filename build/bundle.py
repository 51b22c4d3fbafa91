"""Make the one-file binary: launcher + (PyInstaller onedir + C library + loader) + trailer.

    python build/bundle.py ONEDIR LAUNCHER OUTPUT

Next to OUTPUT it writes OUTPUT.record.json, the build's own record for the SBOM
(build/sbom.py): every entry's name, and for what this script adds from the machine,
the file it came from. `read_entries` reads a built binary back (the SBOM test).

ONEDIR is PyInstaller's output for build/kep.spec (the bootloader `kep` and
everything next to it). Every shared library that the files in it need and
that PyInstaller leaves to the system (libc, libm, libpthread, ...) is added
from this machine, found with ldd, and so is the dynamic loader, as `ld.so`;
so is libgcc_s.so.1, which no ldd shows: glibc dlopens it when a thread exits
(pthread_exit unwinds the stack), and aborts without it. By then kep has removed
the unpacked directory (kep/frozen.py), so the bootloader is made to load it at
start (DT_NEEDED): glibc's later dlopen finds it already mapped.
The bootloader is patched (patchelf): its interpreter becomes a placeholder
long enough for `$TMPDIR/kep-XXXXXX/ld.so`, which the launcher writes in after
unpacking, and its RUNPATH becomes `$ORIGIN/_internal`. The format is described at the
top of build/launcher.c. Standard library only: it runs with Debian's python3.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HEADER = struct.Struct("<BBHIQQQ")
TRAILER = struct.Struct("<QQQ8s")
MAGIC = b"KEPBNDL1"
T_DIR, T_FILE, T_SYMLINK = 1, 2, 3
F_PATCH_INTERP = 1
ENTRY_PROGRAM = "kep"
CONTENTS = "_internal"  # PyInstaller's contents directory: LD_LIBRARY_PATH points here
LOADER = "ld.so"
PT_INTERP = 3
# Loaded by glibc at run time, never a DT_NEEDED: without it a thread ending at interpreter exit
# printed "libgcc_s.so.1 must be installed for pthread_exit to work" and the init container ended
# with 139 instead of 0 (4 runs in 24 in a real cluster; tests/binary/test_image.py).
DLOPENED_BY_LIBC = ("libgcc_s.so.1",)
INTERP_SLOT = 256  # bytes, NUL included: TMPDIR may be up to ~238 characters


def is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def interp_slot(path: Path) -> tuple[int, int, str]:
    """(file offset, size, current value) of an ELF64 little-endian file's PT_INTERP."""
    data = path.read_bytes()
    if data[4] != 2 or data[5] != 1:
        raise SystemExit(f"bundle: {path}: only 64-bit little-endian ELF files are supported")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, _flags, p_offset, _vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type == PT_INTERP:
            value = data[p_offset:p_offset + p_filesz].split(b"\0", 1)[0].decode()
            return p_offset, p_filesz, value
    raise SystemExit(f"bundle: {path} has no PT_INTERP (not a dynamically linked program)")


def system_libraries(files: list[Path], present: set[str]) -> dict[str, Path]:
    """soname -> file on this machine, for every library the files need that is not in the bundle."""
    found: dict[str, Path] = {}
    for path in files:
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
        if out.returncode != 0 and ("not a dynamic executable" in out.stderr + out.stdout):
            continue
        for line in out.stdout.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[1] == "=>":
                name, target = parts[0], parts[2]
                if target == "not":
                    raise SystemExit(f"bundle: {path} needs {name}, which is not installed")
                if name not in present:
                    found[name] = Path(os.path.realpath(target))
    return found


def dlopened_by_libc(present: set[str]) -> dict[str, Path]:
    """soname -> file on this machine (ldconfig's cache), for the libraries glibc dlopens itself."""
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    found: dict[str, Path] = {}
    for soname in DLOPENED_BY_LIBC:
        if soname in present:
            continue
        entries = [line.split() for line in cache.splitlines()]
        paths = [e[-1] for e in entries if len(e) >= 4 and e[0] == soname and "64" in e[1]]  # 64-bit, like the bundle
        if not paths:
            raise SystemExit(f"bundle: {soname} is not installed (glibc loads it when a thread exits)")
        found[soname] = Path(os.path.realpath(paths[0]))
    return found


def patch_bootloader(src: Path, dst: Path) -> tuple[int, int, str]:
    shutil.copy2(src, dst)
    _, _, original = interp_slot(dst)
    placeholder = "/" + "k" * (INTERP_SLOT - 2)
    subprocess.run(["patchelf", "--set-interpreter", placeholder, "--set-rpath", f"$ORIGIN/{CONTENTS}", str(dst)], check=True)
    # A separate run: patchelf 0.14 given --add-needed with --set-rpath writes the soname as RUNPATH.
    subprocess.run(["patchelf", *(arg for soname in DLOPENED_BY_LIBC for arg in ("--add-needed", soname)), str(dst)],
                   check=True)
    offset, size, value = interp_slot(dst)
    if value != placeholder or size < INTERP_SLOT:
        raise SystemExit(f"bundle: patchelf left interpreter {value!r} ({size} bytes)")
    return offset, size, original


def read_entries(binary: Path) -> list[tuple[int, str, bytes]]:
    """(type, name, first 4 bytes of data) of every entry in a built binary, in order."""
    with binary.open("rb") as f:
        f.seek(-TRAILER.size, os.SEEK_END)
        start, count, _, magic = TRAILER.unpack(f.read(TRAILER.size))
        if magic != MAGIC:
            raise SystemExit(f"bundle: {binary} has no kep bundle")
        f.seek(start)
        found = []
        for _ in range(count):
            kind, _flags, name_len, _mode, size, _, _ = HEADER.unpack(f.read(HEADER.size))
            name = f.read(name_len).decode()
            found.append((kind, name, f.read(min(size, 4))))
            f.seek(size - min(size, 4), os.SEEK_CUR)
        return found


class Writer:
    def __init__(self, out) -> None:  # type: ignore[no-untyped-def]
        self.out = out
        self.count = 0
        self.unpacked = 0

    def entry(self, kind: int, name: str, mode: int, data: bytes | Path, flags: int = 0,
              interp: tuple[int, int] = (0, 0)) -> None:
        encoded = name.encode()
        size = data.stat().st_size if isinstance(data, Path) else len(data)
        self.out.write(HEADER.pack(kind, flags, len(encoded), mode, size, interp[0], interp[1]))
        self.out.write(encoded)
        if isinstance(data, Path):
            with data.open("rb") as f:
                shutil.copyfileobj(f, self.out, 1 << 20)
        else:
            self.out.write(data)
        self.count += 1
        self.unpacked += size + 4096


def main(onedir_arg: str, launcher_arg: str, output_arg: str) -> int:
    onedir, launcher, output = Path(onedir_arg), Path(launcher_arg), Path(output_arg)
    if not (onedir / ENTRY_PROGRAM).is_file():
        raise SystemExit(f"bundle: {onedir}/{ENTRY_PROGRAM} missing: run PyInstaller with build/kep.spec first")

    dirs: list[str] = []
    files: list[tuple[str, Path]] = []
    links: list[tuple[str, str]] = []
    for root, dirnames, filenames in os.walk(onedir):
        dirnames.sort()
        rel = Path(root).relative_to(onedir)
        for d in dirnames:
            p = Path(root) / d
            if p.is_symlink():
                links.append((str(rel / d), os.readlink(p)))
            else:
                dirs.append(str(rel / d))
        for f in sorted(filenames):
            p = Path(root) / f
            if p.is_symlink():
                links.append((str(rel / f), os.readlink(p)))
            else:
                files.append((str(rel / f), p))

    present = {Path(name).name for name, _ in files}
    elves = [p for _, p in files if is_elf(p)]
    extra = system_libraries(elves, present)
    extra.update(dlopened_by_libc(present | set(extra)))
    for soname, path in sorted(extra.items()):
        files.append((f"{CONTENTS}/{soname}", path))
    _, _, interpreter = interp_slot(onedir / ENTRY_PROGRAM)

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent) as work:
        bootloader = Path(work) / ENTRY_PROGRAM
        offset, size, _ = patch_bootloader(onedir / ENTRY_PROGRAM, bootloader)
        partial = Path(work) / "out"
        with partial.open("wb") as out:
            with launcher.open("rb") as f:
                shutil.copyfileobj(f, out)
            start = out.tell()
            w = Writer(out)
            for d in dirs:
                w.entry(T_DIR, d, 0o700, b"")
            w.entry(T_FILE, LOADER, 0o755, Path(os.path.realpath(interpreter)))
            w.entry(T_FILE, ENTRY_PROGRAM, 0o755, bootloader, F_PATCH_INTERP, (offset, size))
            for name, path in files:
                if name == ENTRY_PROGRAM:
                    continue
                mode = 0o755 if os.stat(path).st_mode & stat.S_IXUSR else 0o644
                w.entry(T_FILE, name, mode, path)
            for name, target in links:
                w.entry(T_SYMLINK, name, 0o777, target.encode())
            out.write(TRAILER.pack(start, w.count, w.unpacked, MAGIC))
        partial.chmod(0o755)
        partial.replace(output)
    origins = {LOADER: os.path.realpath(interpreter)}
    origins.update((f"{CONTENTS}/{soname}", str(path)) for soname, path in extra.items())
    record = {"files": sorted([(name, origins.get(name)) for name, _ in files] + [(LOADER, origins[LOADER])])}
    Path(f"{output}.record.json").write_text(json.dumps(record, indent=1) + "\n")
    print(f"bundle: {output}: {output.stat().st_size / 1e6:.1f} MB, {w.count} entries,"
          f" {len(extra) + 1} from this machine ({', '.join(sorted(extra))}, {LOADER})")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
