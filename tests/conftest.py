"""Every test starts from an environment without kep's or Kubernetes' variables."""

from __future__ import annotations

import os

import pytest

from tests.cluster.session import real_api  # noqa: F401  (the session's real cluster)
from tests.kepimage import kep_image  # noqa: F401  (the session's image, for tests/binary and tests/cluster)

_PREFIXES = ("DEPENDENCY_", "KUBE", "KEP_")
_NAMES = {"NAMESPACE", "POD_NAME", "INTERFACE_NAME", "COMMAND"}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(_PREFIXES) or name in _NAMES:
            monkeypatch.delenv(name)

