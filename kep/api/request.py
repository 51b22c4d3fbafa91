"""A request to the API server as data, built by pure functions: what it is about
(`Target`: verb, resource, namespace and name, for the typed errors its answer may
become), its query (`selectors`), the request itself (`prepare`: no I/O), and what an
answer that is not a success says (`status_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from kep.api.errors import ApiError, Forbidden, Gone, NoCredentials, NotFound, ServerError, Unauthorized, Unreachable

_TYPED: dict[int, type[ApiError]] = {401: Unauthorized, 403: Forbidden, 404: NotFound, 410: Gone}


@dataclass(frozen=True, slots=True)
class Target:
    """What a request is about, for error messages."""

    verb: str
    resource: str
    namespace: str | None = None
    name: str | None = None

    def error(self, code: int, status: dict[str, Any]) -> ApiError:
        cls = _TYPED.get(code, ServerError)
        return cls(
            verb=self.verb, resource=self.resource, namespace=self.namespace, name=self.name, code=code, status=status
        )

    def unreachable(self, detail: str) -> Unreachable:
        return Unreachable(
            verb=self.verb, resource=self.resource, namespace=self.namespace, name=self.name, detail=detail
        )

    def no_credentials(self, detail: str) -> NoCredentials:
        return NoCredentials(
            verb=self.verb, resource=self.resource, namespace=self.namespace, name=self.name, detail=detail
        )


def prepare(method: str, url: str, params: Mapping[str, str], headers: Mapping[str, str],
            token: str | None, body: bytes | None = None,
            content_type: str = "application/json") -> requests.PreparedRequest:
    """The request to send: `headers` plus the bearer token and, with a body, its type (JSON,
    or a PATCH's: application/merge-patch+json)."""
    sent = dict(headers)
    if token:
        sent["Authorization"] = f"Bearer {token}"
    if body is not None:
        sent["Content-Type"] = content_type
    return requests.Request(method, url, params=params, headers=sent, data=body).prepare()


def selectors(label_selector: str | None, field_selector: str | None) -> dict[str, str]:
    params = {}
    if label_selector:
        params["labelSelector"] = label_selector
    if field_selector:
        params["fieldSelector"] = field_selector
    return params


def status_of(resp: requests.Response) -> dict[str, Any]:
    """The Status body, or a made-up one holding the first line of whatever came."""
    try:
        body = resp.json()
    except (ValueError, requests.exceptions.RequestException):
        body = None
    if isinstance(body, dict) and body.get("kind") == "Status":
        return body
    try:
        text = resp.text.strip()
    except requests.exceptions.RequestException:
        text = ""
    first = text.splitlines()[0][:200] if text else (resp.reason or "")
    return {"kind": "Status", "code": resp.status_code, "message": first}
