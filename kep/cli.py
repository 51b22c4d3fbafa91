"""kep's command line: argv and the environment in, an exec or an exit code out.

The only place that prints errors and chooses exit codes (see kep.exitcodes).
Steps, as tini's main: arguments, environment, signals, wait, hand-off.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NoReturn, TextIO

from kep import buildinfo, envparse, log as logsetup, process
from kep.errors import CommandError, ConfigError, DependencyFailed, RbacMissing, Terminated, TimedOut
from kep.exitcodes import ExitCode
from kep.outcome import Outcome
from kep.specs import Plan, Settings
from kep.verdict import State

if TYPE_CHECKING:
    from kep.api.client import Client
    from kep.api.clusterconfig import ClusterConfig
    from kep.engine.engine import OpenSource
    from kep.podevents import Recorder
    from kep.lint import Options as LintOptions
    from kep.reads import Observation, Query

log = logging.getLogger(__name__)

DESCRIPTION = """\
Wait until every dependency declared in DEPENDENCY_* environment variables is
met, then replace this process with COMMAND (same PID, same environment).
A drop-in replacement for kubernetes-entrypoint: same variables, same meaning.
"""

EPILOG = """\
dependencies (comma-separated lists; an item is NAME or NAMESPACE:NAME):
  DEPENDENCY_SERVICE        services whose every port reaches a ready endpoint
  DEPENDENCY_CONTAINER      containers of this pod that are ready (needs POD_NAME)
  DEPENDENCY_DAEMONSET      daemonsets whose pod on this node is ready, or that run none here (needs POD_NAME)
  DEPENDENCY_JOBS           jobs that have succeeded as the Job controller decides (Complete,
                            or SuccessCriteriaMet once its pods have stopped)
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
  COMMAND                   the command, split on whitespace (command-line arguments win)
  NAMESPACE                 namespace of items without one (default: the service
                            account's namespace file in a cluster, the kubeconfig
                            context's namespace outside, else "default")
  POD_NAME                  this pod's name (downward API: metadata.name)
  INTERFACE_NAME            interface whose first address (IPv4, else IPv6) fills {{ .IP }}
  KUBERNETES_SERVICE_HOST/PORT, KEP_SERVICE_ACCOUNT_DIR
                            in-cluster API access (service-account token and CA;
                            default dir /var/run/secrets/kubernetes.io/serviceaccount)
  KUBECONFIG                kubeconfig files used outside a cluster, merged as kubectl
                            merges them (else ~/.kube/config)

knobs (durations in seconds, or with a unit: 500ms, 1m30s, 1h):
  KEP_INTERVAL              between re-checks, and polls where watch is not allowed (default 2);
                            also each TCP/HTTP attempt's timeout (at least 1s, at most 5s,
                            never more than KEP_TIMEOUT)
  KEP_TIMEOUT               give up after this long (default 0: wait forever)
  KEP_PROGRESS_INTERVAL     between "still waiting" summaries (default 30)
  KEP_FAIL_ON_JOB_FAILURE   1: exit 3 at once when a job has failed (default 0: keep waiting)
  KEP_WATCH                 0: never watch, poll every KEP_INTERVAL (default 1: list+watch
                            where RBAC allows it, polling only what it forbids)
  KEP_STRICT_RBAC           1: exit 4 when the RBAC preflight finds a read that is not
                            allowed (default 0: log the rule to add, and keep waiting)
  KEP_CONFIGMAPS_DIR        root of config templates (default /configmaps)
  KEP_LOG_FORMAT            text (the reference's lines, default) or json (one object per line)
  KEP_DEBUG                 1: log debug lines and tracebacks of internal errors
  KEP_TERMINATION_LOG       where an exit other than the hand-off says why, for kubectl describe
                            (default /dev/termination-log, written only where the kubelet made
                            it; 0: nowhere)

subcommands (same environment; nothing is exec'd):
  kep check [-o table|json]   read every dependency once and say which are met and why;
                              exit 0 all met, 1 some not, 2 configuration error (or a
                              wait that can never end, such as a deadlock in the own pod)
  kep rbac [--service-account NAME] [--no-watch] [--events]
                              print the minimal Role/ClusterRole and bindings (YAML) the
                              declared dependencies need; only read verbs (--events: also
                              create/patch events, for kep's Events on its pod)
  kep status [-n NS | -A] [-l SELECTOR] [-o table|json|dot|mermaid]
                              which pods wait in a wait-for entrypoint (kep's or the
                              reference's, found by DEPENDENCY_* in their environment), on
                              what and why, and the root causes of chains of waits;
                              exit 0 none waits, 1 some do, 2 bad input (kep rbac --status
                              prints the read-only Role it needs)
  kep --explain               print how the environment was understood (dependencies,
                              their reads, watch or poll, knobs); no API request, exit 0
  kep lint [FILE|DIR|-]... [-n NS] [-o text|json] [--graph dot|mermaid]
           [--deployer helm|helm-wait|argocd] [--assume KIND/NS/NAME]...
                              check a release's manifests (helm template, kustomize build)
                              before it is deployed: missing targets, cycles, hook order,
                              RBAC, DEPENDENCY_* errors; no API request, not the environment;
                              exit 0 no error (warnings allowed), 1 errors, 2 nothing readable
  A command named check, rbac, status or lint runs after --: kep -- check

exit codes:
  0    all dependencies met and no command given (init container)
  1    internal error
  2    configuration or usage error (nothing was started)
  3    a dependency failed (KEP_FAIL_ON_JOB_FAILURE=1)
  4    KEP_STRICT_RBAC=1 and RBAC does not allow a read kep needs (each named in the log)
  124  KEP_TIMEOUT ran out
  126  the command is not executable
  127  the command was not found
  128+n  killed by signal n while waiting (143 for SIGTERM)
  otherwise, once the command runs, its own exit code
"""


SUBCOMMANDS = ("check", "rbac", "status", "lint")

COMMAND_QUOTES = ("COMMAND is split on whitespace, not as a shell splits it: its quotes stay in the words "
                  "(kep --explain shows them); give the command as arguments instead")


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see kep --help)")


@dataclass(frozen=True, slots=True)
class Invocation:
    """What the command line asks for: `action` is run, check, rbac, status or explain."""

    action: str = "run"
    command: tuple[str, ...] = ()
    output: str = "table"
    service_account: str = "default"
    watch: bool = True
    namespace: str | None = None
    """kep status -n (None: the kubeconfig context's, or the service account's)."""
    all_namespaces: bool = False
    selector: str = ""
    for_status: bool = False
    """kep rbac --status: the Role of kep status instead of the dependencies'."""
    events: bool = False
    """kep rbac --events: also what kep's Events on its pod need (kep.podevents)."""
    lint: tuple[LintOptions, str, str] | None = None
    """kep lint: its options, output and graph (kep.lint.arguments)."""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kep",
        usage="kep [--help] [--version] [--explain] [[--] COMMAND [ARG ...]]\n"
              "       kep check [-o table|json]\n"
              "       kep rbac [--service-account NAME] [--no-watch] [--events | --status [-n NS | -A]]\n"
              "       kep status [-n NS | -A] [-l SELECTOR] [-o table|json|dot|mermaid]\n"
              "       kep lint [FILE|DIR|-]... [-n NS] [-o text|json] [--graph dot|mermaid] [...]",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=buildinfo.describe())
    parser.add_argument("--explain", action="store_true",
                        help="print how the environment was understood and exit (no API request)")
    parser.add_argument("command", nargs="*", help="the command to exec, with its own options (wins over "
                                                    "COMMAND); kep's options go before it")
    return parser


def _subparser(name: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=f"kep {name}", description=f"kep {name}: see kep --help")
    if name == "check":
        parser.add_argument("-o", "--output", choices=("table", "json"), default="table")
        return parser
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("-n", "--namespace", type=_namespace, help="the namespace (default: the kubeconfig "
                       "context's, in a pod its own)")
    scope.add_argument("-A", "--all-namespaces", action="store_true", help="every namespace")
    if name == "status":
        parser.add_argument("-l", "--selector", default="", type=_selector, help="only the pods it selects")
        parser.add_argument("-o", "--output", choices=("table", "json", "dot", "mermaid"), default="table")
        return parser
    parser.add_argument("--service-account", default="default", metavar="NAME", type=_service_account,
                        help="the service account to bind (in the pod's namespace; default: default)")
    parser.add_argument("--no-watch", action="store_true", help="grant get/list only (kep then polls)")
    parser.add_argument("--status", action="store_true", help="the reads of kep status instead (-n, -A)")
    parser.add_argument("--events", action="store_true", help="also create/patch events, for kep's Events on its pod")
    return parser


def _namespace(name: str) -> str:
    if not envparse.is_dns_label(name):
        raise argparse.ArgumentTypeError(f"{name!r} is not a namespace name (a DNS-1123 label)")
    return name


def _selector(text: str) -> str:
    from kep.status.labels import SelectorError, parse

    try:
        parse(text)
    except SelectorError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _service_account(name: str) -> str:
    if not envparse.is_dns_subdomain(name):
        raise argparse.ArgumentTypeError(f"{name!r} is not a service account name (a DNS-1123 subdomain)")
    return name


def parse_args(argv: Sequence[str]) -> Invocation:
    """kep's own options come first; the command is everything from the first word that is
    not one (or after `--`), its options included, as `env`, tini and dumb-init read theirs:
    in `kep sh -c 'echo hi'` the -c is sh's and in `kep myapp --version` --version is myapp's.
    A first word that is a subcommand selects it."""
    argv = list(argv)
    if argv and argv[0] in SUBCOMMANDS:
        name, rest = argv[0], argv[1:]
        if "--" in rest:
            raise UsageError(f"kep {name} takes no command (see kep --help)")
        if name == "lint":
            from kep.lint.arguments import options as lint_options

            return Invocation("lint", lint=lint_options(rest, _Parser))
        sub = _subparser(name).parse_args(rest)
        if name == "check":
            return Invocation("check", output=sub.output)
        if name == "status":
            return Invocation("status", output=sub.output, namespace=sub.namespace,
                              all_namespaces=sub.all_namespaces, selector=sub.selector)
        if (sub.namespace or sub.all_namespaces) and not sub.status:
            raise UsageError("kep rbac: -n and -A go with --status (see kep --help)")
        return Invocation("rbac", service_account=sub.service_account, watch=not sub.no_watch,
                          namespace=sub.namespace, all_namespaces=sub.all_namespaces, for_status=sub.status,
                          events=sub.events)
    cut = next((i for i, word in enumerate(argv) if word == "--" or not word.startswith("-")), len(argv))
    options, command = argv[:cut], argv[cut:]
    parsed = _parser().parse_args(options)
    if command and command[0] == "--":
        command = command[1:]
    elif command:
        _refuse_misspelt_subcommand(command[0])
    return Invocation("explain" if parsed.explain else "run", tuple(command))


def _refuse_misspelt_subcommand(word: str) -> None:
    """`kep chek` is a typo for `kep check`, not a command to exec after the wait."""
    close = envparse.closest(word, SUBCOMMANDS)
    if close and "/" not in word and shutil.which(word) is None:
        raise UsageError(f"unknown subcommand {word!r}: did you mean kep {close}? (see kep --help)")


class ApiAccess:
    """Where the API server is and how to reach it, found at most once per run (a kubeconfig
    is parsed once, whoever asks: the default namespace, the client, --explain)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env
        self._loaded: ClusterConfig | ConfigError | None = None

    def config(self) -> ClusterConfig:
        """The configuration (kep.api.config.load_config); raises its ConfigError."""
        if self._loaded is None:
            from kep.api.config import load_config

            try:
                self._loaded = load_config(self.env)
            except ConfigError as exc:
                self._loaded = exc
        if isinstance(self._loaded, ConfigError):
            raise self._loaded
        return self._loaded

    def client(self) -> Client:
        from kep.api.client import Client

        return Client(self.config(), environ=self.env)

    def default_namespace(self) -> str:
        """For items without a namespace when NAMESPACE is unset: the service account's in a
        cluster, the kubeconfig context's outside (as kubectl), else "default". Nothing is
        read unless an API dependency is declared; a configuration kep cannot use gives
        "default" here, and its error comes when the client is needed."""
        if self.env.get("NAMESPACE", "").strip():
            return "default"  # unused: envparse takes NAMESPACE itself
        api_variables = (v for v in envparse.DEPENDENCY_VARIABLES if v not in envparse.LOCAL_VARIABLES)
        if not any(self.env.get(var, "").strip() for var in api_variables):
            return "default"
        try:
            return self.config().namespace or "default"
        except ConfigError:
            return "default"


def _with_own_container(plan: Plan) -> Plan:
    """The plan with the container kep runs in, where the kubelet's mount names it (so a
    wait inside the own pod that can never end is said at once)."""
    from kep import owncontainer

    found = owncontainer.detect()
    if found is None:
        return plan
    return replace(plan, settings=replace(plan.settings, own_container=found.name, own_pod_uid=found.pod_uid))


def _check(plan: Plan, api: ApiAccess, output: str) -> int:
    from kep.check import as_json, as_table, check

    fetch = None
    if plan.needs_api:
        from kep.engine.read import fetcher

        fetch = fetcher(api.client())
    verdicts = check(plan, fetch)
    print(as_json(plan, verdicts) if output == "json" else as_table(plan, verdicts), flush=True)
    if any(v.state is State.IMPOSSIBLE for v in verdicts.values()):
        return ExitCode.CONFIG
    return ExitCode.OK if all(v.is_met for v in verdicts.values()) else ExitCode.NOT_MET


def _rbac(plan: Plan, api: ApiAccess, invocation: Invocation) -> int:
    from kep.rbac import needs, render, with_events
    from kep.wiring import reads

    try:
        client = api.client() if plan.needs_api else None
    except ConfigError:
        client = None  # no API: custom resources keep their guessed plurals, and say so
    wanted = needs(reads(plan, client), invocation.watch, with_check=True)
    if invocation.events:
        wanted = with_events(wanted, plan.settings.namespace)
    print(render(wanted, invocation.service_account, plan.settings.namespace, invocation.watch), end="", flush=True)
    return ExitCode.OK


def _status(api: ApiAccess, invocation: Invocation) -> int:
    from kep.api.errors import ApiError
    from kep.engine.read import fetcher
    from kep.status import status
    from kep.status.graph import as_dot, as_mermaid
    from kep.status.labels import parse
    from kep.status.render import as_json, as_table

    scope = None if invocation.all_namespaces else _scope(api, invocation)
    try:
        report = status(fetcher(api.client()), scope, parse(invocation.selector))
    except ApiError as exc:
        log.error("kep status: %s", exc)
        return ExitCode.NOT_MET
    show = {"json": as_json, "dot": as_dot, "mermaid": as_mermaid}.get(invocation.output, as_table)
    print(show(report), flush=True)
    return ExitCode.NOT_MET if report.waiters else ExitCode.OK


def _rbac_status(api: ApiAccess, invocation: Invocation) -> int:
    """The Role (ClusterRole with -A) kep status needs, bound to the service account in the
    namespace asked for (-n, else the kubeconfig context's, else default); the environment's
    dependencies play no part."""
    from kep.rbac import render, status_needs

    try:
        home = _scope(api, invocation)
    except ConfigError:
        home = "default"  # no kubeconfig: a Role can be printed all the same
    print(render(status_needs(None if invocation.all_namespaces else home), invocation.service_account, home,
                 watch=False, title="the reads of kep status", suffix="kep-status"), end="", flush=True)
    return ExitCode.OK


def _lint(api: ApiAccess, options: LintOptions, output: str, graph: str) -> int:
    """Findings (or the graph) on stdout; exit 1 on an error finding, 2 when nothing could be read."""
    from kep.lint import lint
    from kep.lint.cluster import Cluster
    from kep.lint.report import as_json, as_text, has_errors

    report = lint(options, cluster=Cluster(api.client()) if options.cluster else None)
    if not report.documents:
        for finding in report.findings:
            log.error("kep lint: %s: %s", finding.where, finding.message)
        log.error("kep lint: nothing could be read")
        return ExitCode.CONFIG
    if graph:
        from kep.lint.graph import as_dot, as_mermaid

        print(as_dot(report) if graph == "dot" else as_mermaid(report), flush=True)
    else:
        print(as_json(report) if output == "json" else as_text(report), flush=True)
    return ExitCode.NOT_MET if has_errors(report) else ExitCode.OK


def _scope(api: ApiAccess, invocation: Invocation) -> str:
    """-n, else the namespace kubectl would use: the kubeconfig context's, in a pod its own."""
    return invocation.namespace or api.config().namespace or "default"


def run(argv: Sequence[str], env: Mapping[str, str], outcome: Outcome) -> int:
    """The run asked for; `outcome` hears the wait, and is told of a hand-off."""
    invocation = parse_args(argv)
    api = ApiAccess(env)
    if invocation.action == "status":
        return _status(api, invocation)
    if invocation.lint is not None:
        return _lint(api, *invocation.lint)
    if invocation.for_status:
        return _rbac_status(api, invocation)
    plan = _with_own_container(envparse.parse(env, api.default_namespace()))
    if plan.settings.debug or plan.settings.log_format != "text":
        logsetup.configure(_log_out(invocation.action in SUBCOMMANDS), debug=plan.settings.debug,
                           form=plan.settings.log_format)
    command, source = (invocation.command, "arguments") if invocation.command else (plan.settings.command, "COMMAND")
    quoted = source == "COMMAND" and any(quote in env.get("COMMAND", "") for quote in "'\"")
    if invocation.action == "explain":
        from kep.explain import command_line, explain

        print(explain(plan, api.config) + "\n" + command_line(command, source)
              + (f"\nwarning: {COMMAND_QUOTES}" if quoted else ""), flush=True)
        return ExitCode.OK
    for warning in plan.warnings:
        log.warning("%s", warning)
    if invocation.action == "check":
        return _check(plan, api, invocation.output)
    if invocation.action == "rbac":
        return _rbac(plan, api, invocation)
    if quoted:
        log.warning("%s", COMMAND_QUOTES)
    from kep.engine.engine import Engine
    from kep.engine.inbox import Inbox

    inbox: Inbox[tuple[Query, Observation]] = Inbox()
    process.trap_terminating_signals(inbox.wakeup_fd)
    open_source: OpenSource | None = None
    seen: dict[Query, Observation] = {}
    if plan.needs_api:
        from kep.wiring import sources

        client = api.client()
        open_source, seen, events = sources(plan, client)
        outcome.recorder = _recorder(client, plan.settings, events)
    Engine(plan.specs, plan.settings, open_source=open_source, inbox=inbox, seen=seen, listener=outcome).run()
    outcome.handing_off(command)
    if not command:
        log.info("All dependencies are resolved; no command given, exiting.")
        return ExitCode.OK
    log.info("All dependencies are resolved; executing %s", command[0])
    process.exec_command(command, env)
    return ExitCode.INTERNAL  # not reached: exec_command returns only by raising


def _recorder(client: Client, settings: Settings, allowed: bool | None) -> Recorder | None:
    """The Events on the own pod (kep.podevents), where they can be: they need POD_NAME, and
    RBAC's create and patch of events in the pod's namespace (`allowed`; None: not known, so
    tried). Each case said once."""
    if not settings.pod_name:
        log.debug("Events: POD_NAME is not set, so kep records no Events on its pod")
        return None
    if allowed is False:
        log.info("Events: RBAC does not allow kep to create and patch events in namespace %s; none are recorded "
                 "on pod %s (kep rbac --events prints the rule to add).", settings.namespace, settings.pod_name)
        return None
    from kep.podevents import Recorder

    recorder = Recorder(client, settings)
    recorder.start()
    return recorder


def _log_out(subcommand: bool) -> TextIO:
    """Where info and warnings go: stdout, as the reference's; but `kep check` and `kep rbac`
    print a table, JSON or YAML there, for a reader or a pipe, so theirs go to stderr, as
    kubectl's warnings do."""
    return sys.stderr if subcommand else sys.stdout


def entry() -> NoReturn:
    """The program's entry (kep.py, `python -m kep`, the `kep` script): main, then leave at once."""
    process.leave(main())


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    argv = sys.argv[1:] if argv is None else argv
    # JSON from the first line on when asked (envparse validates the value later).
    json_asked = env.get("KEP_LOG_FORMAT", "").strip().lower() == "json"
    subcommand = bool(argv) and argv[0] in SUBCOMMANDS
    logsetup.configure(_log_out(subcommand), form="json" if json_asked else "text")
    # Every exit but a hand-off says why in the termination message (not a subcommand's: it prints its answer).
    outcome = Outcome("" if subcommand else envparse.termination_log(env))
    try:
        return run(argv, env, outcome)
    except UsageError as exc:
        log.error("usage: %s", exc)
        return outcome.ended(ExitCode.CONFIG, f"usage: {exc}", ())
    except ConfigError as exc:
        for warning in exc.warnings:
            log.warning("%s", warning)
        for problem in exc.problems:
            log.error("%s", problem)
        return outcome.ended(ExitCode.CONFIG, "configuration error, nothing was started", exc.problems)
    except TimedOut as exc:
        for line, extra in exc.lines:
            log.error("%s", line, extra=extra)
        return outcome.ended(ExitCode.TIMEOUT, "KEP_TIMEOUT ran out")
    except DependencyFailed as exc:
        log.error("dependency failed: %s", exc, extra=exc.fields)
        return outcome.ended(ExitCode.DEPENDENCY_FAILED, "a dependency failed (KEP_FAIL_ON_JOB_FAILURE=1)")
    except RbacMissing as exc:
        log.error("KEP_STRICT_RBAC=1: %s (see above); nothing was started.", exc)
        return outcome.ended(ExitCode.RBAC_MISSING, f"KEP_STRICT_RBAC=1: {exc}, nothing was started", exc.rules)
    except CommandError as exc:
        log.error("%s", exc)
        return outcome.ended(exc.code, str(exc), ())
    except Terminated as exc:
        log.warning("Terminated by signal %d while waiting; nothing was started.", exc.signum)
        return outcome.ended(ExitCode.SIGNAL_BASE + exc.signum, f"terminated by signal {exc.signum} while waiting")
    except BrokenPipeError:
        # `kep check | head -1`: the reader has gone, as it is entitled to. Say nothing more (the
        # rest of stdout goes nowhere) and end as a shell's pipeline member killed by SIGPIPE.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.SIGNAL_BASE + signal.SIGPIPE
    except Exception as exc:  # the one edge where anything is caught: no traceback unless asked
        log.error("internal error: %s: %s", type(exc).__name__, exc,
                  exc_info=log.isEnabledFor(logging.DEBUG))  # KEP_DEBUG=1
        return outcome.ended(ExitCode.INTERNAL, f"internal error ({type(exc).__name__}: the log says more)")
