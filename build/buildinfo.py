"""Write the module `_kep_build` that `kep --version` reads in a built binary (kep/buildinfo.py).

    python build/buildinfo.py OUTPUT_DIR COMMIT SOURCE_DATE_EPOCH

The date is the commit's (SOURCE_DATE_EPOCH), never the clock's: two builds of one
commit must be byte-identical. Standard library only.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path


def main(output_dir: str, commit: str, epoch: str) -> int:
    if not epoch.isdigit():
        raise SystemExit(f"buildinfo: SOURCE_DATE_EPOCH must be seconds since 1970, not {epoch!r}")
    date = datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = Path(output_dir) / "_kep_build.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f'"""Written by build/buildinfo.py."""\nCOMMIT = {commit!r}\nDATE = {date!r}\n'
    if not path.exists() or path.read_text() != text:  # unchanged: make sees nothing new to build
        path.write_text(text)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
