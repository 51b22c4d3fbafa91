"""Every test starts from an environment without kep's or Kubernetes' variables.

Session fixtures shared across directories (the image, the real cluster) are registered here,
and the tests on the real cluster are moved to the end of the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cluster.session import real_api  # noqa: F401  (the session's real cluster)
from tests.kepimage import kep_image  # noqa: F401  (the session's image, for tests/binary and tests/cluster)

CLUSTER_TESTS = Path(__file__).resolve().parent / "cluster"
_PREFIXES = ("DEPENDENCY_", "KUBE", "KEP_")
_NAMES = {"NAMESPACE", "POD_NAME", "INTERFACE_NAME", "COMMAND"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(_PREFIXES) or name in _NAMES:
            monkeypatch.delenv(name)


def _uses_real_cluster(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return item.path.is_relative_to(CLUSTER_TESTS) or (callspec is not None and callspec.params.get("api_server") == "real")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the real cluster run last, together: it is up only for them, never under the timing tests."""
    items.sort(key=_uses_real_cluster)
