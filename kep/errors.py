"""Typed errors whose str() is the line the user reads."""


class KepError(Exception):
    """Base class: cli.main maps each subclass to one exit code."""


class ConfigError(KepError):
    """Bad configuration; carries every problem found, one line each, and the warnings
    found on the way (a misspelt variable name is often why a dependency looks wrong)."""

    def __init__(self, problems: list[str], warnings: list[str] | tuple[str, ...] = ()) -> None:
        self.problems = list(problems)
        self.warnings = tuple(warnings)
        super().__init__("\n".join(self.problems))


class CommandError(KepError):
    """The command could not be exec'd; code is 126 or 127."""

    def __init__(self, message: str, code: int) -> None:
        self.code = code
        super().__init__(message)


Fields = dict[str, object]
"""A log record's `extra` that JSON logs turn into fields (kep.engine.report.fields)."""


class DependencyFailed(KepError):
    """A dependency reached a state it will not recover from (opt-in, e.g. a failed job);
    `fields` name it in JSON logs."""

    def __init__(self, message: str, fields: Fields | None = None) -> None:
        self.fields = fields or {}
        super().__init__(message)


class RbacMissing(KepError):
    """KEP_STRICT_RBAC=1 and the preflight found reads RBAC does not allow (each already
    logged); `rules` says each, with the rule to add (for the termination message)."""

    def __init__(self, rules: list[str]) -> None:
        self.rules = rules
        count = len(rules)
        super().__init__(f"{count} {'read is' if count == 1 else 'reads are'} not allowed")


class Terminated(BaseException):
    """A terminating signal arrived while waiting. A BaseException, like
    KeyboardInterrupt, so no `except Exception` (logging's among them) swallows it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"terminated by signal {signum}")


class TimedOut(KepError):
    """KEP_TIMEOUT ran out; one line per dependency still unmet, each with its `Fields`."""

    def __init__(self, lines: list[tuple[str, Fields]]) -> None:
        self.lines = lines
        super().__init__("\n".join(line for line, _ in lines))
