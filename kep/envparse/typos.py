"""Names kep does not read that look like its own, and which one a misspelt name meant.

Read as written, a misspelt name drops what the user declared: DEPENDENCY_SERVICES
would start the application before its database, KEP_TIMOUT would wait forever. So a
name that can only be a slip for one kep reads is a configuration error (envparse.parser).
Closeness is strict for the same reason: the application shares the environment, and a
name it may own (DEPENDENCY_SERVICE_URL, DEPENDENCY_SECRET) must not stop it.

A name is compared with its family without the prefix (DEPENDENCY_, a misspelling of it
such as DEPENDANCY_, or KEP_), ignoring case and all but letters and digits (so "_", "-"
and a pasted invisible character do not count). It is close to a known name when:

- it is a slip of it: one letter added, dropped or changed, or two neighbours swapped
  (two slips in names of 12 letters or more), also after a plural "S" is dropped
  (DEPENDENCY_SERVCIE, _DAEMONSETS, KEP_TIMOUT, KEP_FAIL_ON_JOBS_FAILURE);
- it is the start of it, at least 3 letters (DEPENDENCY_POD, _JOB, KEP_LOG);
- it is it plus "JSON" (DEPENDENCY_SERVICE_JSON);
- but never when it is a known name followed by words of its own
  (DEPENDENCY_SERVICE_HOST, _CONFIG_DIR, KEP_TIMEOUT_SECONDS).

difflib's ratio was tried: it scores one slip by length, so no cutoff both catches
DEPENDENCY_TCQ (0.67 to TCP) and passes DEPENDENCY_SECRET (0.67 to SOCKET).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kep.envparse.variables import DEPENDENCY_PREFIX, DEPENDENCY_VARIABLES, KEP_PREFIX, KEP_VARIABLES

_SERVICE_LINK = re.compile(
    r"KEP_(?:\w+_)?(?:SERVICE_HOST|SERVICE_PORT(?:_\w+)?|PORT(?:_[0-9]+_(?:TCP|UDP|SCTP)(?:_PROTO|_PORT|_ADDR)?)?)"
)
"""What the kubelet sets in every pod for a Service named kep or kep-*
(enableServiceLinks): never the user's attempt at a knob."""

_WORD = re.compile(r"[^A-Z0-9]+")
"""What separates words once a name is upper-cased: "_", and "-", "." or a stray character."""


def closest(word: str, known: Iterable[str]) -> str | None:
    """The known word that `word` is a slip of (see the module); the nearest, the first on a tie."""
    near = [(slips(word, candidate), index, candidate) for index, candidate in enumerate(known)
            if abs(len(word) - len(candidate)) <= _allowed(candidate)]  # length alone rules most out
    near = [entry for entry in near if entry[0] <= _allowed(entry[2])]
    return min(near)[2] if near else None


def close_name(name: str) -> str | None:
    """The variable kep reads that `name` can only be a misspelling of; None for one kep reads
    or a name of its own."""
    found = _family(name)
    if found is None:
        return None
    words, family = found
    known = {"".join(_WORD.split(variable)[1:]): variable for variable in family}
    tail = "".join(words)
    if name in family or len(tail) < 3 or _adds_words(words, known):
        return None
    near = [(slips(tail, squashed), index, variable)
            for index, (squashed, variable) in enumerate(known.items()) if _is_close(tail, squashed)]
    return min(near)[2] if near else None


def is_unknown_knob(name: str) -> bool:
    """A KEP_ name kep does not read and that is no misspelling of one (KEP_LOG_LEVEL): kep's
    namespace, so worth a warning, but it may be a newer kep's knob or the application's own."""
    upper = name.upper()
    return (upper.startswith(KEP_PREFIX) and name not in KEP_VARIABLES
            and close_name(name) is None and _SERVICE_LINK.fullmatch(upper) is None)


def slips(a: str, b: str) -> int:
    """Letters added, dropped or changed, and neighbours swapped, from `a` to `b`
    (optimal string alignment distance)."""
    before: list[int] = []
    previous: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, row = previous, row, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]


def _allowed(known: str) -> int:
    """Slips a misspelling of `known` may have: more in a long name is still one name."""
    return 1 if len(known) < 12 else 2


def _family(name: str) -> tuple[list[str], tuple[str, ...]] | None:
    """The words after the prefix, and the variables of that family; None for another prefix."""
    prefix, *words = _WORD.split(name.upper())
    words = [word for word in words if word]  # DEPENDENCY_SERVICE_ is DEPENDENCY_SERVICE
    if words and prefix == KEP_PREFIX[:-1]:
        return words, KEP_VARIABLES
    if words and closest(prefix, [DEPENDENCY_PREFIX[:-1]]):
        return words, DEPENDENCY_VARIABLES
    return None


def _adds_words(words: list[str], known: dict[str, str]) -> bool:
    """A known name followed by words of its own (SERVICE_HOST); SERVICE_JSON is a misspelling."""
    return any("".join(words[:cut]) in known and words[cut:] != ["JSON"] for cut in range(1, len(words)))


def _is_close(tail: str, known: str) -> bool:
    """`tail` is a slip, the start or the JSON form of `known` (both squashed)."""
    singular = tail[:-1] if tail.endswith("S") and len(tail) > 3 else tail
    if tail == known + "JSON":
        return True
    return any(known.startswith(form) or closest(form, [known]) for form in (tail, singular))
