"""kep's command line: argv and the environment in, an exec or an exit code out.

The only place that prints errors and chooses exit codes (see kep.exitcodes).
Steps, as tini's main: arguments, environment, signals, wait, hand-off.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from kep import __version__, envparse, log as logsetup, process
from kep.errors import CommandError, ConfigError, DependencyFailed, Terminated, TimedOut
from kep.exitcodes import ExitCode
from kep.specs import Plan

if TYPE_CHECKING:
    from kep.engine.engine import OpenSource
    from kep.reads import Observation, Query

log = logging.getLogger(__name__)

DESCRIPTION = """\
Wait until every dependency declared in DEPENDENCY_* environment variables is
met, then replace this process with COMMAND (same PID, same environment).
A drop-in replacement for kubernetes-entrypoint: same variables, same meaning.
"""

EPILOG = """\
dependencies (comma-separated lists; an item is NAME or NAMESPACE:NAME):
  DEPENDENCY_SERVICE        services with at least one ready endpoint
  DEPENDENCY_CONTAINER      containers of this pod that are ready (needs POD_NAME)
  DEPENDENCY_DAEMONSET      daemonsets whose pod on this node is ready (needs POD_NAME)
  DEPENDENCY_JOBS           jobs that have succeeded
  DEPENDENCY_JOBS_JSON      [{"name": N} | {"labels": {K: V}}, "namespace"?]; wins over DEPENDENCY_JOBS
  DEPENDENCY_POD_JSON       [{"labels": {K: V}, "namespace"?, "requireSameNode"?: bool}] (needs POD_NAME)
  DEPENDENCY_CUSTOM_RESOURCE
                            [{"apiVersion", "kind", "name", "namespace"?,
                              "fields"?: [{"key", "value"}], "conditions"?: [{"type", "status"?}]}]
  DEPENDENCY_SOCKET         paths that must exist (stat)
  DEPENDENCY_CONFIG         paths rendered from /configmaps/<name>/<name>, filling
                            {{ .IP }} {{ .IP_ERLANG }} {{ .HOSTNAME }} (needs INTERFACE_NAME)
  DEPENDENCY_TCP            HOST:PORT or [IPV6]:PORT that accept a TCP connection (names
                            resolved at every attempt)
  DEPENDENCY_HTTP           http(s) URLs that answer GET with a 2xx (at most 5 redirects;
                            HTTPS verified against the CA set bundled with kep)
  DEPENDENCY_HTTP_JSON      [{"url", "status"?: [CODE, ...], "method"?: GET|HEAD|OPTIONS,
                              "headers"?: {K: V}, "caFile"?: PEM, "insecure"?: bool}]
                            (adds to DEPENDENCY_HTTP; a URL's userinfo and query and the
                            header values are masked in all output; proxies from
                            HTTPS_PROXY, HTTP_PROXY, NO_PROXY)

environment:
  COMMAND                   the command, split on whitespace (arguments after -- win)
  NAMESPACE                 namespace of items without one (default: the service
                            account's namespace file, else "default")
  POD_NAME                  this pod's name (downward API: metadata.name)
  INTERFACE_NAME            interface whose IPv4 address fills {{ .IP }}
  KUBERNETES_SERVICE_HOST/PORT, KEP_SERVICE_ACCOUNT_DIR
                            in-cluster API access (service-account token and CA;
                            default dir /var/run/secrets/kubernetes.io/serviceaccount)
  KUBECONFIG                kubeconfig used outside a cluster (else ~/.kube/config)

knobs (durations in seconds, or with a unit: 500ms, 1m30s, 1h):
  KEP_INTERVAL              between re-checks, and polls where watch is not allowed (default 2);
                            also each TCP/HTTP attempt's timeout (at least 1s, at most 5s,
                            never more than KEP_TIMEOUT)
  KEP_TIMEOUT               give up after this long (default 0: wait forever)
  KEP_PROGRESS_INTERVAL     between "still waiting" summaries (default 30)
  KEP_FAIL_ON_JOB_FAILURE   1: exit 3 at once when a job has failed (default 0: keep waiting)
  KEP_WATCH                 0: never watch, poll every KEP_INTERVAL (default 1: list+watch
                            where RBAC allows it, polling only what it forbids)
  KEP_CONFIGMAPS_DIR        root of config templates (default /configmaps)
  KEP_LOG_FORMAT            text (the reference's lines, default) or json (one object per line)
  KEP_DEBUG                 1: log debug lines and tracebacks of internal errors

exit codes:
  0    all dependencies met and no command given (init container)
  1    internal error
  2    configuration or usage error (nothing was started)
  3    a dependency failed (KEP_FAIL_ON_JOB_FAILURE=1)
  124  KEP_TIMEOUT ran out
  126  the command is not executable
  127  the command was not found
  128+n  killed by signal n while waiting (143 for SIGTERM)
  otherwise, once the command runs, its own exit code
"""


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see kep --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kep",
        usage="kep [--help] [--version] [--] [COMMAND [ARG ...]]",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kep {__version__}")
    parser.add_argument("command", nargs="*", help="the command to exec (wins over COMMAND)")
    return parser


def parse_args(argv: Sequence[str]) -> tuple[str, ...]:
    """The command given on the command line: everything after `--`, else the positionals."""
    argv = list(argv)
    if "--" in argv:
        cut = argv.index("--")
        options, command = argv[:cut], argv[cut + 1:]
    else:
        options, command = argv, []
    parsed = _parser().parse_args(options)
    return tuple(command or parsed.command)


def _default_namespace(env: Mapping[str, str]) -> str:
    """For items without a namespace when NAMESPACE is unset: the service account's, else "default"."""
    if env.get("NAMESPACE", "").strip():
        return "default"  # unused: envparse takes NAMESPACE itself
    from kep.api.config import service_account_namespace

    return service_account_namespace(env) or "default"


def _open_source(plan: Plan, env: Mapping[str, str]) -> OpenSource | None:
    """Only an API dependency brings in the client (and `requests`)."""
    if not plan.needs_api:
        return None
    from kep.api.client import Client
    from kep.api.config import load_config
    from kep.engine.watcher import opener

    return opener(Client(load_config(env)), plan.settings.interval, watch=plan.settings.watch)


def run(argv: Sequence[str], env: Mapping[str, str]) -> int:
    command = parse_args(argv)
    plan = envparse.parse(env, _default_namespace(env))
    if plan.settings.debug or plan.settings.log_format != "text":
        logsetup.configure(debug=plan.settings.debug, form=plan.settings.log_format)
    for warning in plan.warnings:
        log.warning("%s", warning)
    command = command or plan.settings.command
    from kep.engine.engine import Engine
    from kep.engine.inbox import Inbox

    inbox: Inbox[tuple[Query, Observation]] = Inbox()
    process.trap_terminating_signals(inbox.wakeup_fd)
    Engine(plan.specs, plan.settings, open_source=_open_source(plan, env), inbox=inbox).run()
    if not command:
        log.info("All dependencies are resolved; no command given, exiting.")
        return ExitCode.OK
    log.info("All dependencies are resolved; executing %s", command[0])
    process.exec_command(command, env)
    return ExitCode.INTERNAL  # not reached: exec_command returns only by raising


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    logsetup.configure()
    try:
        return run(sys.argv[1:] if argv is None else argv, env)
    except UsageError as exc:
        log.error("usage: %s", exc)
        return ExitCode.CONFIG
    except ConfigError as exc:
        for warning in exc.warnings:
            log.warning("%s", warning)
        for problem in exc.problems:
            log.error("%s", problem)
        return ExitCode.CONFIG
    except TimedOut as exc:
        for line in exc.lines:
            log.error("%s", line)
        return ExitCode.TIMEOUT
    except DependencyFailed as exc:
        log.error("dependency failed: %s", exc)
        return ExitCode.DEPENDENCY_FAILED
    except CommandError as exc:
        log.error("%s", exc)
        return exc.code
    except Terminated as exc:
        log.warning("Terminated by signal %d while waiting; nothing was started.", exc.signum)
        return ExitCode.SIGNAL_BASE + exc.signum
    except Exception as exc:  # the one edge where anything is caught: no traceback unless asked
        log.error("internal error: %s: %s", type(exc).__name__, exc,
                  exc_info=log.isEnabledFor(logging.DEBUG))  # KEP_DEBUG=1
        return ExitCode.INTERNAL
