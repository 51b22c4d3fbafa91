"""`kep lint`'s command line, read into Options (cli prints its errors and exits 2).

`-n NS` is the namespace of the objects that have none; kubectl's `-f PATH` (repeatable)
takes the `-n` given before it, so one run can lint releases of several namespaces
(`-n ceph -f ceph-mon.yaml -n openstack -f nova.yaml`); bare paths take the last `-n`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from kep.envparse import is_dns_label
from kep.lint import DEPLOYERS, Options
from kep.lint.targets import Assumption

USAGE = ("kep lint [FILE|DIR|-]... [-n NS] [-f PATH]... [-o text|json] [--graph dot|mermaid] "
         "[--deployer helm|helm-wait|argocd] [--assume KIND/NS/NAME]... [--cluster]")


class _File(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option: str | None = None) -> None:
        namespace.files.append((str(values), namespace.namespace))


def _namespace(name: str) -> str:
    if not is_dns_label(name):
        raise argparse.ArgumentTypeError(f"{name!r} is not a namespace name (a DNS-1123 label)")
    return name


def options(argv: Sequence[str], parser_class: type[argparse.ArgumentParser]) -> tuple[Options, str, str]:
    """(Options, output, graph) from kep lint's arguments; parser_class raises on bad ones."""
    parser = parser_class(prog="kep lint", usage=USAGE,
                          description="kep lint: check a release's DEPENDENCY_* waits before it is deployed "
                                      "(docs/lint.md); exit 0 no error, 1 errors, 2 nothing readable")
    parser.add_argument("paths", nargs="*", metavar="FILE|DIR|-")
    parser.add_argument("-f", "--filename", action=_File, dest="files", default=[], metavar="PATH",
                        help="a file, directory or -, in the namespace of the -n before it")
    parser.add_argument("-n", "--namespace", type=_namespace, default="default",
                        help="the namespace of objects without one (default: default)")
    parser.add_argument("-o", "--output", choices=("text", "json"), default="text")
    parser.add_argument("--graph", choices=("dot", "mermaid"), help="print the wait graph instead")
    parser.add_argument("--deployer", choices=DEPLOYERS, default="helm",
                        help="who creates the release, for hook-order (default: helm)")
    parser.add_argument("--assume", action="append", default=[], metavar="KIND/NS/NAME",
                        help="an object provided outside the input (patterns allowed)")
    parser.add_argument("--cluster", action="store_true",
                        help="also look up what the input does not define in the current kubeconfig's cluster "
                             "(read-only)")
    args = parser.parse_args(list(argv))
    paths = [*args.files, *((p, args.namespace) for p in args.paths)]
    if not paths:
        parser.error("give a FILE, DIR or - (stdin)")
    try:
        assumed = tuple(Assumption.parse(a, args.namespace) for a in args.assume)
    except ValueError as exc:
        parser.error(f"--assume: {exc}")
    return Options(tuple(paths), args.deployer, assumed, args.cluster), args.output, args.graph or ""
