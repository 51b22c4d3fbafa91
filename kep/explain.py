"""`kep --explain`: how the environment was understood, with no API request.

Every dependency, its namespace and the reads it will make (each kind states
them: `reads()`), whether they are watched or polled, the knobs in force and the
command; then exit 0. What it cannot know without asking (RBAC, discovery of a
custom resource's plural, a DaemonSet's selector) it says in words.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from kep.api.clusterconfig import ClusterConfig
from kep.errors import ConfigError
from kep.kinds import API_KINDS, LOCAL_KINDS
from kep.specs import Plan, identity


def _seconds(value: float) -> str:
    return f"{value:g}s"


def explain(plan: Plan, config_of: Callable[[], ClusterConfig]) -> str:
    s = plan.settings
    count = len(plan.specs)
    lines = [f"{count} {'dependency' if count == 1 else 'dependencies'}:" if count
             else "no dependencies: kep execs at once"]
    for spec in plan.specs:
        who = identity(spec, s)
        lines.append(f"  {spec}  [{who.kind} {who.namespace + '/' if who.namespace else ''}{who.name}]")
        kind = API_KINDS.get(type(spec))
        if kind is not None:
            lines.extend(f"    {read}" for read in kind.reads(spec, s))
        else:
            lines.append(f"    {LOCAL_KINDS[type(spec)].explain(spec, s)}")
    if plan.needs_api:
        polled = f"polled every {_seconds(s.interval)} until met"
        mode = f"list+watch where RBAC allows it, else {polled}" if s.watch else f"{polled} (KEP_WATCH=0)"
        lines += ["", f"API reads: {mode}; API server: {_api_server(config_of)}"]
    lines += [
        "",
        "settings:",
        f"  namespace {s.namespace}" + (f", POD_NAME {s.pod_name}" if s.pod_name else ""),
        f"  KEP_INTERVAL {_seconds(s.interval)}, KEP_TIMEOUT "
        + (_seconds(s.timeout) if s.timeout > 0 else "0 (wait forever)")
        + f", KEP_PROGRESS_INTERVAL {_seconds(s.progress_interval)}",
        f"  KEP_FAIL_ON_JOB_FAILURE {int(s.fail_on_job_failure)}, KEP_WATCH {int(s.watch)}, "
        f"KEP_STRICT_RBAC {int(s.strict_rbac)}, KEP_LOG_FORMAT {s.log_format}, KEP_DEBUG {int(s.debug)}",
        f"  KEP_CONFIGMAPS_DIR {s.configmaps_dir}, KEP_TERMINATION_LOG {s.termination_log or '0 (none)'}",
    ]
    for warning in plan.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def command_line(command: tuple[str, ...], source: str) -> str:
    """The words kep will exec, each quoted as JSON so that a split the user did not mean
    shows (COMMAND is split on whitespace, with no shell quoting); `source` says whence."""
    if not command:
        return "command: none (exit 0 once all are met)"
    return f"command ({source}): {json.dumps(list(command))}"


def _api_server(config_of: Callable[[], ClusterConfig]) -> str:
    """Where the API would be asked (files read, no request made), or why it cannot be."""
    try:
        config = config_of()
    except ConfigError as exc:
        return f"not configured: {'; '.join(exc.problems)}"
    return f"{config.server} (from {config.source})"
