"""kep.api.request: a request built as data, with no I/O."""

from __future__ import annotations

from kep.api.errors import Forbidden, NotFound, ServerError
from kep.api.request import Target, prepare, selectors


def test_prepare_adds_the_token_and_a_json_content_type_only_with_a_body() -> None:
    get = prepare("GET", "https://h/api/v1/pods", {"labelSelector": "a=b"}, {"Accept": "application/json"}, "t0k")
    assert (get.method, get.url) == ("GET", "https://h/api/v1/pods?labelSelector=a%3Db")
    assert get.headers["Authorization"] == "Bearer t0k" and "Content-Type" not in get.headers
    post = prepare("POST", "https://h/x", {}, {}, None, b"{}")
    assert post.headers["Content-Type"] == "application/json" and "Authorization" not in post.headers
    assert post.body == b"{}"


def test_selectors_leave_out_what_is_not_given() -> None:
    assert selectors(None, None) == {}
    assert selectors("a=b", "metadata.name=x") == {"labelSelector": "a=b", "fieldSelector": "metadata.name=x"}


def test_a_target_turns_a_status_code_into_its_typed_error() -> None:
    target = Target("get", "pods", "ns", "me")
    assert isinstance(target.error(403, {}), Forbidden)
    assert isinstance(target.error(404, {}), NotFound)
    assert isinstance(target.error(409, {}), ServerError)
