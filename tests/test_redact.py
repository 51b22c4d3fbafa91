"""redact.url: userinfo, query and fragment never shown, whatever the text."""

import pytest

from kep import redact


@pytest.mark.parametrize("text, shown", [
    ("https://h/x", "https://h/x"),
    ("https://[::1]:8443/x", "https://[::1]:8443/x"),
    ("https://user:pw@h:1/a/b?x=1#f", "https://***@h:1/a/b?***"),
    ("https://token@h", "https://***@h"),
    ("https://a@b@h/x@y", "https://***@h/x@y"),
    ("http://h/p?token=1", "http://h/p?***"),
    ("http://h?t", "http://h?***"),
    ("http://h/#frag", "http://h/#***"),
    ("http://h/p#a?b", "http://h/p#***"),
    ("user:pw@h/x", "***@h/x"),
    ("https://u:pw@[::1/?q", "https://***@[::1/?***"),
    ("", ""),
])
def test_url_masks_userinfo_query_and_fragment(text: str, shown: str) -> None:
    assert redact.url(text) == shown


@pytest.mark.parametrize(("text", "shown"), [
    ("https://admin:hunter", "https://***"),
    ("https://admin:hunter/x?t=1", "https://***/x?***"),
    ("two@vault:8200/health", "***/health"),
    ("secret", "***"),
    ("https://", "https://"),
])
def test_url_without_authority_masks_host_and_port_too(text: str, shown: str) -> None:
    assert redact.url_without_authority(text) == shown
