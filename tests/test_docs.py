"""What README.md and docs/*.md show is what the project prints.

Every code block of those pages is either checked here or listed in NOT_CHECKED with the
reason, so a new block cannot go unchecked unnoticed (`test_every_block_is_checked_or_says_why_not`):

- a `console` block is a transcript: its `$ ` commands run in order, in one shell-like
  session per page (`make fake-api` starts the fake kube-apiserver exactly as the Makefile
  does; `export` sets a variable; `[VAR=value ...] kep ...` runs the venv's `kep`, the
  console script a reader runs), and what each prints must be the lines shown;
- a `sh` block of `make` lines names targets that exist; one of `kubectl`/`curl` lines is
  run against the page's fake kube-apiserver, and kep then sees what it changed;
- the pod manifests hold only variables kep reads, and kep takes them (`--explain`, exit 0);
- the usage lines are `kep --help`'s, the RBAC log lines a real run's, and the tables of
  variables, knobs and exit codes are kep's own (kep.envparse, kep.exitcodes).

What varies from run to run is normalized, and only that: the time in log lines, the fake
API server's port (a free one at each start) and the checkout's path, shown as
/home/you/kep. A line `...` in a block stands for any lines, `^C` for a Ctrl-C.

Not checked, besides NOT_CHECKED: figures (docs/benchmarks.md, and the sizes and times in
docs/launcher.md, docs/arm64.md, docs/testing.md) are measurements of one machine; the
SBOM's component versions (docs/sbom-and-verification.md) are a build's; example reasons in
prose with made-up addresses (docs/network-endpoints.md, docs/differences.md) are not one
run's output. Messages quoted in prose that kep prints as they stand are checked below.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import yaml

from kep.envparse import DEPENDENCY_VARIABLES
from kep.envparse.variables import KEP_SERVICE_ACCOUNT_DIR, KEP_VARIABLES
from kep.exitcodes import ExitCode
from tests import fakecluster
from tests.fakeapi import FakeApiServer, Rule
from tests.run import ROOT, Kep, kep_env

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHOWN_CHECKOUT = "/home/you/kep"
"""The checkout's path as the pages show it."""
KEP = ROOT / ".venv" / "bin" / "kep"
"""The console script pyproject.toml declares, in the venv `make` made: what the README runs."""
TIME = re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d")
PORT = re.compile(r"(https://127\.0\.0\.1):\d+")

NOT_CHECKED = {
    ("launcher.md", "Entrypoint ERROR: 2026/11/24 23:45:58 kep cannot start: /tmp is read-only; kep unpacks 20 MB "
                    "into a writable, exec-allowed directory at each start: set TMPDIR to one, or mount one at /tmp "
                    "(an emptyDir volume, or the image's VOLUME /tmp)"):
        "printed by the one-file binary's launcher (build/launcher.c), which needs `make binary`: "
        "tests/binary/test_image.py runs it with a read-only /tmp and checks the line",
    ("describe.md", "kep: KEP_TIMEOUT ran out after 4.0s, 1 of 1 not met"):
        "a real pod's termination message, copied by the kubelet: tests/cluster/test_describe.py checks these "
        "lines, tests/test_termination.py the same from kep as a process",
    ("describe.md", "    State:      Terminated"):
        "kubectl describe of a real pod: tests/cluster/test_describe.py checks the message there",
    ("describe.md", "Events:"):
        "kubectl describe of a real pod: tests/cluster/test_describe.py checks kep's rows, their order and messages",
    ("describe.md", "Entrypoint INFO: 2026/12/08 03:05:43 Events: RBAC does not allow kep to create and patch events "
                    "in namespace openstack; none are recorded on pod openstack/nova-api-0 (kep rbac --events prints "
                    "the rule to add)."):
        "a run under a Role without events: tests/test_podevents.py and tests/cluster/test_describe.py wait for "
        "this line",
    ("status.md", "$ kep status -n openstack"):
        "the pods of a chart half-way, which `make fake-api` does not hold: tests/status/test_status.py makes "
        "them and checks these rows, the root cause and the last line",
}


@dataclass
class Block:
    page: Path
    line: int
    lang: str
    lines: list[str]

    @property
    def key(self) -> tuple[str, str]:
        return (self.page.name, self.lines[0] if self.lines else "")

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> Iterator[Block]:
    """The fenced blocks and the indented ones (4 spaces after a blank line, outside lists)."""
    lines = page.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            end = lines.index("```", i + 1)
            yield Block(page, i + 1, line[3:].strip(), lines[i + 1:end])
            i = end + 1
            continue
        if line.startswith("    ") and (i == 0 or not lines[i - 1].strip()):
            start = i
            while i < len(lines) and lines[i].startswith("    "):
                i += 1
            yield Block(page, start + 1, "", [text[4:] for text in lines[start:i]])
            continue
        i += 1


def all_blocks() -> list[Block]:
    return [block for page in PAGES for block in blocks(page)]


def normalized(text: str, checkout: Path | None = None) -> str:
    text = PORT.sub(r"\1:PORT", TIME.sub("TIME", text))
    return text.replace(str(checkout), SHOWN_CHECKOUT) if checkout else text


def assert_shows(shown: list[str], printed: list[str], where: object) -> None:
    """`printed` (normalized) is `shown`, where `...` stands for any lines; kep's log lines
    of one run may come in any order (each dependency is read on its own), so they are
    compared as a multiset, the other lines in order."""
    shown = [normalized(line) for line in shown]
    if "..." in shown:
        head, _, tail = "\n".join(shown).partition("\n...")
        head_lines = head.splitlines()
        tail_lines = tail.lstrip("\n").splitlines() if tail.strip() else []
        assert printed[:len(head_lines)] == head_lines, f"{where}: printed\n" + "\n".join(printed)
        assert printed[len(printed) - len(tail_lines):] == tail_lines, f"{where}: printed\n" + "\n".join(printed)
        return
    logs = lambda lines: Counter(line for line in lines if line.startswith("Entrypoint "))  # noqa: E731
    rest = lambda lines: [line for line in lines if not line.startswith("Entrypoint ")]  # noqa: E731
    assert (rest(printed), logs(printed)) == (rest(shown), logs(shown)), f"{where}: printed\n" + "\n".join(printed)


# --- the console transcripts -------------------------------------------------------------


@dataclass
class Session:
    """One reader's terminals on one page: the variables exported, the fake API server."""

    work: Path
    env: dict[str, str] = field(default_factory=kep_env)
    server: subprocess.Popen[str] | None = None
    kubeconfig: Path | None = None

    def run(self, command: str, shown: list[str], where: Block) -> None:
        if command == "make fake-api":
            return self.start_fake_api(shown, where)
        words = shlex.split(command)
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            self.env[name] = self.exported(name, value)
            return
        assignments = {}
        while "=" in words[0]:
            name, _, value = words.pop(0).partition("=")
            assignments[name] = value
        assert words[0] == "kep", f"{where}: a command this test does not know how to run: {command}"
        done = subprocess.run([str(KEP), *words[1:]], env={**self.env, **assignments}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=30)
        assert_shows(shown, normalized(done.stdout, self.work).splitlines(), where)

    def exported(self, name: str, value: str) -> str:
        if name == "KUBECONFIG":
            assert value == f"{SHOWN_CHECKOUT}/.fake-api/kubeconfig" and self.kubeconfig is not None
            return str(self.kubeconfig)
        assert (name, value) == ("PATH", "$PWD/.venv/bin:$PATH"), f"an export this test does not know: {name}"
        assert KEP.exists(), f"no {KEP}: pyproject.toml's console script, which make installs, is the README's kep"
        return f"{KEP.parent}:{self.env['PATH']}"

    def start_fake_api(self, shown: list[str], where: Block) -> None:
        """The Makefile's recipe, run in a directory of its own (a reader's `make fake-api`
        may be running): it prints the lines shown, then serves until `interrupt`."""
        recipe = subprocess.run(["make", "-s", "-n", "fake-api"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.splitlines()[-1]
        words = shlex.split(recipe)
        assert words[:3] == [".venv/bin/python", "-m", "tests.fakeapi"], recipe
        self.server = subprocess.Popen([sys.executable, *words[1:]], cwd=self.work, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True,
                                       env={**self.env, "PYTHONPATH": str(ROOT)})
        self.kubeconfig = self.work / ".fake-api" / "kubeconfig"
        assert self.server.stdout is not None
        printed = [normalized(self.server.stdout.readline().rstrip("\n"), self.work) for _ in shown]
        deadline = time.monotonic() + 30
        while not (self.work / ".fake-api" / "ready").exists():
            assert self.server.poll() is None and time.monotonic() < deadline, "the fake API server did not start"
            time.sleep(0.05)
        assert printed == [normalized(line) for line in shown], f"{where}: printed\n" + "\n".join(printed)
        self.env.setdefault("KUBECONFIG", str(self.kubeconfig))  # as the line printed says, for later blocks

    def interrupt(self, where: Block) -> None:
        """A block that starts with `^C`: Ctrl-C in the fake API server's terminal, and what
        it prints then."""
        assert self.server is not None, f"{where}: Ctrl-C before make fake-api"
        self.server.send_signal(signal.SIGINT)
        out, _ = self.server.communicate(timeout=10)
        assert (self.server.returncode, out.splitlines()) == (0, [where.lines[0].removeprefix("^C"),
                                                                  *where.lines[1:]]), where

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=10)


def transcript(block: Block) -> Iterator[tuple[str, list[str]]]:
    """Each `$ ` command of a console block with the lines shown after it."""
    command: str | None = None
    shown: list[str] = []
    for line in block.lines:
        if line.startswith("$ "):
            if command is not None:
                yield command, shown
            command, shown = line[2:], []
        else:
            shown.append(line)
    if command is not None:
        yield command, shown


def shell_lines(block: Block) -> list[str]:
    """A sh block's commands: comments dropped, continued lines joined."""
    joined = "\n".join(block.lines).replace("\\\n", " ")
    return [line.split("  #")[0].strip() for line in joined.splitlines() if line.strip()]


@pytest.fixture
def session(tmp_path):
    started = Session(tmp_path)
    yield started
    started.stop()


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_transcript_prints_what_the_page_shows(page, session):
    for block in blocks(page):
        if block.lang == "console" and block.lines[0].startswith("^C"):
            session.interrupt(block)
        elif block.lang == "console":
            for command, shown in transcript(block):
                session.run(command, shown, block)
        elif block.lang == "sh" and not all(line.startswith("make ") for line in shell_lines(block)):
            run_commands(block, session)


EFFECTS = {
    "kubectl patch job nova-db-sync --subresource=status --type=merge -p '{\"status\": {\"conditions\": "
    "[{\"type\": \"Complete\", \"status\": \"True\"}], \"succeeded\": 1}}'":
        {"nova-db-sync": "job openstack/nova-db-sync: complete (1 succeeded)",
         "mariadb": "service openstack/mariadb not found"},
    "curl --cacert .fake-api/ca.crt -H \"Authorization: Bearer $(cat .fake-api/admin-token)\" \\":
        {"glance-db-sync": "job openstack/glance-db-sync: succeeded"},
}
"""What kep check says after each block of commands (by its first line), of the dependencies named."""


def run_commands(block: Block, session: Session) -> None:
    """kubectl and curl lines, against the page's fake API server: each must succeed (what
    they print is kubectl's and curl's, not the project's), and kep then sees what they did."""
    assert session.kubeconfig is not None, f"{block}: commands shown before make fake-api"
    expected = EFFECTS[block.lines[0]]
    for line in shell_lines(block):
        program = shlex.split(line)[0]
        if shutil.which(program) is None:
            pytest.skip(f"{block}: {program} is not installed")
        done = subprocess.run(["bash", "-c", line], cwd=session.work, env=session.env, capture_output=True,
                              text=True, timeout=30)
        assert done.returncode == 0, f"{block}: {line}\n{done.stderr}"
    jobs = ",".join(name for name in expected if name.endswith("-sync"))
    services = ",".join(name for name in expected if not name.endswith("-sync"))
    checked = subprocess.run([str(KEP), "check", "-o", "json"], capture_output=True, text=True, timeout=30,
                             env={**session.env, "DEPENDENCY_JOBS": jobs, "DEPENDENCY_SERVICE": services})
    rows = {row["name"]: row["reason"] for row in json.loads(checked.stdout)["dependencies"]}
    assert rows == expected, block


def test_the_readme_patch_makes_a_waiting_kep_exec(session):
    """README, Try it: `kep echo started` waits for rabbitmq until the kubectl patch shown
    makes its endpoint ready (applied over REST where kubectl is not installed)."""
    from tests.run import start_kep, wait_for_line

    prose = " ".join((ROOT / "README.md").read_text().split())
    command = re.search(r"`(kubectl patch endpointslice [^`]*)`", prose)
    assert command is not None
    session.start_fake_api([], Block(ROOT / "README.md", 0, "", []))
    env = {**session.env, "KUBECONFIG": str(session.kubeconfig), "DEPENDENCY_SERVICE": "rabbitmq"}
    kep = start_kep("echo", "started", env=env)
    wait_for_line(kep, "Waiting for Service rabbitmq in namespace openstack: service openstack/rabbitmq: "
                       "0 of 1 endpoints ready")
    words = shlex.split(command.group(1))
    if shutil.which("kubectl"):
        subprocess.run(words, env=env, check=True, capture_output=True, timeout=30)
    else:
        state = session.work / ".fake-api"
        requests.patch(f"{(state / 'url').read_text().strip()}/apis/discovery.k8s.io/v1/namespaces/openstack/"
                       f"endpointslices/{words[3]}", data=words[words.index("-p") + 1], verify=str(state / "ca.crt"),
                       headers={"Authorization": f"Bearer {(state / 'admin-token').read_text().strip()}",
                                "Content-Type": "application/merge-patch+json"}, timeout=30).raise_for_status()
    wait_for_line(kep, "started")
    assert kep.wait(timeout=10) == 0


# --- other blocks ------------------------------------------------------------------------


def test_every_block_is_checked_or_says_why_not():
    unclaimed = [str(block) for block in all_blocks() if not is_checked(block) and block.key not in NOT_CHECKED]
    assert unclaimed == [], "blocks neither checked in tests/test_docs.py nor in its NOT_CHECKED, with the reason"
    keys = {block.key for block in all_blocks()}
    assert [key for key in NOT_CHECKED if key not in keys] == [], "NOT_CHECKED names a block that is gone"


def is_checked(block: Block) -> bool:
    return (block.lang in ("console", "sh", "yaml")
            or (block.lang == "" and all(line.startswith(("make ", "kep ")) for line in block.lines))
            or block.key in (RBAC_LOG, LINT_SYNOPSIS))


def make_targets() -> set[str]:
    """Every target the Makefile (and build/binary.mk) defines, from make's own database."""
    database = subprocess.run(["make", "-pRrq", "-f", "Makefile", ":"], cwd=ROOT, capture_output=True,
                              text=True).stdout
    return {line.split(":")[0] for line in database.splitlines() if re.match(r"^[a-z][a-z0-9-]*:", line)}


def test_every_make_command_shown_is_a_target():
    shown = set()
    for block in all_blocks():
        for line in block.lines if block.lang in ("", "sh") else ():
            words = line.split("#")[0].split()
            if words[:1] == ["make"]:
                shown.update(word for word in words[1:] if "=" not in word and not word.startswith("["))
    assert shown and shown <= make_targets(), shown - make_targets()


def test_the_usage_lines_are_kep_help():
    (usage,) = [block for block in blocks(ROOT / "README.md") if block.lines[0].startswith("kep [--help]")]
    done = subprocess.run([str(KEP), "--help"], capture_output=True, text=True, env=kep_env())
    printed = done.stdout.split("\n\n")[0].removeprefix("usage: ").splitlines()
    assert [line.strip() for line in printed] == usage.lines


LINT_SYNOPSIS = ("lint.md", "kep lint [FILE|DIR|-]... [-n NS] [-f PATH]... [-o text|json] [--graph dot|mermaid]")


def test_the_lint_synopsis_is_kep_lint_help():
    (synopsis,) = [block for block in blocks(ROOT / "docs" / "lint.md") if block.key == LINT_SYNOPSIS]
    done = subprocess.run([str(KEP), "lint", "--help"], capture_output=True, text=True, env=kep_env())
    usage = done.stdout.split("\n\n")[0].removeprefix("usage: ")
    assert usage.split() == " ".join(synopsis.lines).split()


def test_the_pods_shown_are_read_by_kep_as_meant(tmp_path):
    """The manifests' variables are kep's, and kep takes them: `--explain` exits 0 with the
    dependencies and the command as the manifest means them."""
    manifests = [block for block in blocks(ROOT / "README.md") if block.lang == "yaml"]
    assert len(manifests) == 2
    for block in manifests:
        (container,) = yaml.safe_load("\n".join(block.lines)).values()
        (container,) = container
        env = {var["name"]: var.get("value", "from-the-downward-api") for var in container["env"]}
        read = set(DEPENDENCY_VARIABLES) | set(KEP_VARIABLES) | {"NAMESPACE", "POD_NAME"}
        assert set(env) <= read, set(env) - read
        binary, *command = container["command"]
        assert binary in ("kubernetes-entrypoint", "kep")
        done = subprocess.run([str(KEP), "--explain", *command], capture_output=True, text=True, env=kep_env(**env))
        assert done.returncode == 0, done.stderr
        assert done.stdout.rstrip().endswith(f"command (arguments): {json.dumps(command)}" if command
                                             else "command: none (exit 0 once all are met)")
    dockerfile = (ROOT / "Dockerfile.scratch").read_text()
    assert "/usr/local/bin/kubernetes-entrypoint" in dockerfile, "the init container's command, and the COPY's source"


RBAC_LOG = ("README.md", "Entrypoint INFO: 2026/12/08 03:05:43 RBAC: watch is not granted on endpoints in "
                         "openstack, endpointslices.discovery.k8s.io in openstack, jobs.batch in openstack, services "
                         "in openstack; polling every 2s from the start.")


def test_the_rbac_log_lines_are_a_pods_under_a_role_without_jobs(tmp_path):
    """README, When kep keeps waiting: a pod in the seeded namespace whose Role is
    helm-toolkit's without jobs logs the lines shown (among others)."""
    from tests.run import start_kep

    (block,) = [block for block in blocks(ROOT / "README.md") if block.key == RBAC_LOG]
    shown = {normalized(line) for line in block.lines}
    rules = [Rule.from_dict(rule) for rule in fakecluster.REFERENCE_RULES if rule["apiGroups"] != ["batch"]]
    with FakeApiServer() as api:
        fakecluster.seed_openstack(api.create)
        api.write_service_account(str(tmp_path), api.add_token(rules=rules), namespace=fakecluster.OPENSTACK)
        kep = start_kep(env=kep_env(**api.in_cluster_env(str(tmp_path)), DEPENDENCY_SERVICE="mariadb,rabbitmq",
                                    DEPENDENCY_JOBS="nova-db-sync"))
        try:
            printed = wait_for_lines(kep, shown)
        finally:
            kep.terminate()
            kep.communicate(timeout=10)
    assert shown <= printed


def wait_for_lines(kep: Kep, lines: set[str], timeout: float = 30.0) -> set[str]:
    """kep's stdout lines (normalized) until all of `lines` came, or kep ended, or `timeout`."""
    assert kep.stdout is not None
    watchdog = threading.Timer(timeout, kep.kill)
    watchdog.start()
    printed: set[str] = set()
    try:
        for line in kep.stdout:
            printed.add(normalized(line.rstrip("\n")))
            if lines <= printed:
                break
    finally:
        watchdog.cancel()
    return printed


def test_every_link_between_the_pages_leads_to_a_page_and_every_page_is_linked():
    linked = set()
    for page in PAGES:
        for target, anchor in re.findall(r"\]\(([^)#:]+)(?:#([^)]*))?\)", page.read_text()):
            path = (page.parent / target).resolve()
            assert path.exists(), f"{page.relative_to(ROOT)}: {target}"
            assert not anchor or anchor in anchors(path), f"{page.relative_to(ROOT)}: {target}#{anchor}"
            linked.add(path)
    assert set(PAGES[1:]) <= linked, set(PAGES[1:]) - linked


def test_every_file_of_the_project_the_pages_name_exists():
    named = {path for page in PAGES for path in re.findall(r"`((?:kep|tests|bench|build|docs)/[\w./-]*)`",
                                                           page.read_text())}
    made = ("build/work/", "dist/")  # made by a build, not in the tree
    assert named and [path for path in sorted(named) if not path.startswith(made) and not (ROOT / path).exists()] == []


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation out, spaces to -."""
    headings = re.findall(r"^#+ (.*)$", page.read_text(), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


# --- the tables ---------------------------------------------------------------------------


def table(page: Path, heading: str) -> list[list[str]]:
    """The cells of the first table under `heading`, its header and rule left out."""
    lines = page.read_text().split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in lines[start + 2:end]]


def test_the_exit_code_table_is_kep_exitcodes_and_kep_help():
    codes = [row[0] for row in table(ROOT / "README.md", "## Exit codes")]
    numbers = {int(code) for cell in codes for code in re.findall(r"\d+", cell.replace("128+n", "128"))}
    assert numbers == {int(code) for code in ExitCode}
    assert "128+n" in codes and "any other" in codes
    help_text = subprocess.run([str(KEP), "--help"], capture_output=True, text=True, env=kep_env()).stdout
    in_help = {int(code) for code in re.findall(r"^  (\d+)", help_text.split("exit codes:")[1], re.M)}
    assert in_help | {ExitCode.SIGNAL_BASE} == numbers


def test_the_variables_and_knobs_shown_are_those_kep_reads():
    readme = (ROOT / "README.md").read_text()
    variables = [row[0].strip("`") for row in table(ROOT / "README.md", "## What kep waits for")]
    assert variables == list(DEPENDENCY_VARIABLES)
    knobs = readme[readme.index("Knobs:"):].split("\n\n")[0]
    assert set(re.findall(r"`(KEP_[A-Z_]+)", knobs)) == set(KEP_VARIABLES) - {KEP_SERVICE_ACCOUNT_DIR}


# --- messages quoted in the prose ---------------------------------------------------------


@pytest.mark.parametrize(("page", "quote", "env", "args"), [
    ("docs/differences.md", "DEPENDENCY_SERVICES: not a variable kep reads; did you mean DEPENDENCY_SERVICE?",
     {"DEPENDENCY_SERVICES": "mariadb"}, []),
    ("docs/sbom-and-verification.md", "kep 0.1.0 (from source)", {}, ["--version"]),
])
def test_a_message_quoted_in_prose_is_printed(page, quote, env, args):
    assert quote in " ".join((ROOT / page).read_text().split())
    done = subprocess.run([str(KEP), *args], capture_output=True, text=True, env=kep_env(**env), timeout=30)
    assert quote in done.stdout + done.stderr


def test_an_arch_make_does_not_build_for_stops_with_the_line_shown():
    assert "(`ARCH=sparc is not supported: use one of amd64 arm64`)" in (ROOT / "docs/building.md").read_text()
    done = subprocess.run(["make", "-n", "binary", "ARCH=sparc"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0 and "ARCH=sparc is not supported: use one of amd64 arm64" in done.stderr
