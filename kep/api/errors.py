"""Typed API errors. str() is the line a user reads, e.g.
`forbidden: cannot list endpointslices.discovery.k8s.io in namespace "openstack"`.
Never includes a token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ApiError(Exception):
    """An answer from the API server that is not success, with its Status body."""

    code: int = 0
    label: str = "error"

    def __init__(
        self,
        *,
        verb: str,
        resource: str,
        namespace: str | None = None,
        name: str | None = None,
        code: int | None = None,
        status: dict[str, Any] | None = None,
    ) -> None:
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
        self.name = name
        if code is not None:
            self.code = code
        self.status = status or {}
        super().__init__(self._line())

    @property
    def reason(self) -> str:
        """The Status reason (e.g. `Forbidden`, `Expired`), if the server gave one."""
        return str(self.status.get("reason") or "")

    def _target(self) -> str:
        what = self.resource + (f" {self.name!r}".replace("'", '"') if self.name else "")
        if self.namespace:
            return f"{what} in namespace \"{self.namespace}\""
        return what

    def _line(self) -> str:
        return f"{self.label}: cannot {self.verb} {self._target()}"


class Unauthorized(ApiError):
    code = 401
    label = "unauthorized"


class Forbidden(ApiError):
    code = 403
    label = "forbidden"


class NotFound(ApiError):
    code = 404
    label = "not found"

    def _line(self) -> str:
        return f"not found: {self._target()}"


class Gone(ApiError):
    """410: the resourceVersion asked for is too old; relist."""

    code = 410
    label = "gone"


class ServerError(ApiError):
    """5xx, 429 or any other status after retries ran out."""

    label = "server error"

    def _line(self) -> str:
        msg = self.status.get("message") if self.status else ""
        return f"API server answered {self.code} to {self.verb} {self._target()}" + (f": {msg}" if msg else "")


class Unreachable(ApiError):
    """No answer at all (connection refused, TLS failure, timeout) after retries ran out."""

    label = "unreachable"

    def __init__(self, *, verb: str, resource: str, detail: str, **kw: Any) -> None:
        self.detail = detail
        super().__init__(verb=verb, resource=resource, **kw)

    def _line(self) -> str:
        return f"cannot reach the API server to {self.verb} {self._target()}: {self.detail}"


class PluginFailed(Exception):
    """An exec credential plugin gave no credential; str() is the user's line, naming the
    user and the command (never what the plugin printed)."""


class NoCredentials(ApiError):
    """The exec credential plugin gave no credential, after retries ran out."""

    label = "no credentials"

    def __init__(self, *, verb: str, resource: str, detail: str, **kw: Any) -> None:
        self.detail = detail
        super().__init__(verb=verb, resource=resource, **kw)

    def _line(self) -> str:
        return f"no credentials to {self.verb} {self._target()}: {self.detail}"


OnRetry = Callable[[ApiError], None]
"""Told of each failed attempt that the client is about to retry (Unreachable, ServerError
or NoCredentials)."""
