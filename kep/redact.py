"""What of a user's URL may be shown: never its userinfo, query or fragment.

Credentials ride in URLs (`https://user:token@host/`, `?access_token=...`), and
kep's lines end up in log stores, so every URL kep prints goes through here:
specs, reasons and configuration errors alike. Works on any text, parsable or
not (a malformed URL is shown in an error too).
"""

from __future__ import annotations

MASK = "***"


def url(text: str) -> str:
    """`text` with the userinfo, the query and the fragment replaced by ***."""
    scheme, separator, authority, rest = _parts(text)
    if "@" in authority:
        authority = f"{MASK}@{authority.rpartition('@')[2]}"
    return f"{scheme}{separator}{authority}{rest}"


def url_without_authority(text: str) -> str:
    """`text` with the whole authority (userinfo, host, port), the query and the fragment
    replaced by ***: for a piece of a URL that a comma in its password cut off."""
    scheme, separator, authority, rest = _parts(text)
    return f"{scheme}{separator}{MASK if authority else ''}{rest}"


def _parts(text: str) -> tuple[str, str, str, str]:
    """(scheme, "://" or "", authority, the rest), the query and fragment already masked."""
    cut = min((i for i in (text.find("?"), text.find("#")) if i >= 0), default=-1)
    if cut >= 0:
        text = f"{text[:cut + 1]}{MASK}"
    scheme, separator, rest = text.partition("://")
    if not separator:
        scheme, rest = "", text
    end = min((i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    return scheme, separator, rest[:end], rest[end:]
