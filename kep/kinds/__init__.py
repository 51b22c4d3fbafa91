"""The kind registry: spec type -> the module that decides readiness for it.

Local kinds have `check(spec, settings) -> Verdict`. API kinds have
`queries(spec, settings, seen)` (what to read, as data) and a pure
`evaluate(spec, settings, seen) -> Verdict`.
"""

from kep import specs
from kep.kinds import config, socket

LOCAL_KINDS = {specs.Socket: socket, specs.Config: config}
API_KINDS: dict[type, object] = {}
