"""kep lint over the 78 OpenStack-Helm charts (../shared/data/openstack-helm), each chart in
its namespace, one run as `kep lint -n NS -f CHART...` would: the figures and the time.

    .venv/bin/python bench/lint.py [helm|helm-wait|argocd]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "openstack-helm"


def main() -> None:
    start = time.perf_counter()
    from kep.lint import Options, lint
    from kep.lint.report import summary

    charts = json.loads((DATA / "render-status.json").read_text())["charts"]
    paths = tuple((str(DATA / f"{c}.yaml"), i["namespace"]) for c, i in sorted(charts.items())
                  if (DATA / f"{c}.yaml").exists())
    report = lint(Options(paths, sys.argv[1] if len(sys.argv) > 1 else "helm"))
    took = time.perf_counter() - start
    print(json.dumps(summary(report)))
    print("per chart and check:", dict(Counter((Path(f.file).stem, f.check) for f in report.findings)))
    print(f"{took:.2f} s for {sum(Path(p).stat().st_size for p, _ in paths) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
