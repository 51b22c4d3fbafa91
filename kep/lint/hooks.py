"""`hook-order`: a wait that cannot be met in the order the deployer creates things.

Phases at install (`--deployer`):

| annotation | helm, helm-wait | argocd (its hook mapping, Argo CD docs "Helm hooks") |
|---|---|---|
| `helm.sh/hook: pre-install` (or with pre-upgrade) | before the rest, one at a time | PreSync |
| none | the main phase, all at once | Sync |
| `post-install` (or with post-upgrade) | after it, one at a time | PostSync: once Sync is healthy |
| only `pre-upgrade`/`post-upgrade`, `test*`, `*-delete`, `*-rollback` | never created on install | not applied (no equivalent), or never on a sync |
| `argocd.argoproj.io/hook` | (ignored) | wins over helm.sh/hook |

Helm runs the hooks of a phase one at a time, by `helm.sh/hook-weight` then name, and
waits for each Job or Pod to finish before the next (pkg/action/hooks.go); `helm install`
creates the main phase and runs the post hooks at once, `--wait` first waits for the main
phase to be ready (Jobs too with `--wait-for-jobs`). Argo CD applies a phase wave by wave
(`argocd.argoproj.io/sync-wave`, a hook's `helm.sh/hook-weight`) and starts the next only
when the earlier ones are healthy (a Job: complete).

So a finding (error) where a waiter needs what its phase comes before: a pre hook waiting
on anything later; a hook waiting on a later hook of its phase; anything waiting on what
is never created on install; and, under helm-wait and argocd, a main-phase workload
waiting on a post hook (a deadlock; a main-phase Job is a warning under helm-wait, where
only --wait-for-jobs waits for it). Under plain helm that last order works: no finding.
A CronJob is waited for by no deployer: its waits are not judged here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kep import specs
from kep.lint.findings import Finding, Severity, finding
from kep.lint.release import Obj
from kep.lint.waits import Wait

MAIN = 1

_ARGO_HOOKS = {"presync": 0, "sync": MAIN, "postsync": 2}


@dataclass(frozen=True, slots=True)
class Phase:
    stage: int | None
    """0 pre, 1 main, 2 post; None: never created on install."""
    order: tuple[int, str]
    """Within the stage: Helm's (weight, name) for hooks; Argo CD's (wave, "")."""
    what: str

    def __str__(self) -> str:
        return self.what


def phase(obj: Obj, deployer: str) -> Phase:
    notes = obj.annotations
    hooks = {h.strip().lower() for h in str(notes.get("helm.sh/hook", "")).split(",") if h.strip()}
    weight = _int(notes.get("helm.sh/hook-weight"))
    if deployer == "argocd":
        argo = {h.strip().lower() for h in str(notes.get("argocd.argoproj.io/hook", "")).split(",") if h.strip()}
        wave = _int(notes.get("argocd.argoproj.io/sync-wave", weight if hooks else 0))
        if argo:
            stages = [_ARGO_HOOKS[h] for h in argo if h in _ARGO_HOOKS]
            name = "argocd.argoproj.io/hook " + ",".join(sorted(argo))
            return Phase(min(stages) if stages else None, (wave, ""), name)
        if not hooks:
            return Phase(MAIN, (wave, ""), f"sync wave {wave}")
        stage = _helm_stage(hooks)
        what = {0: "PreSync", 2: "PostSync"}.get(stage, "not applied by Argo CD") if stage is not None else \
            "not applied by Argo CD"
        return Phase(stage, (wave, ""), f"helm.sh/hook {','.join(sorted(hooks))} ({what}, wave {wave})")
    if not hooks:
        return Phase(MAIN, (0, ""), "main phase")
    return Phase(_helm_stage(hooks), (weight, obj.ref.name),
                 f"helm.sh/hook {','.join(sorted(hooks))} (weight {weight})")


def _helm_stage(hooks: set[str]) -> int | None:
    if "pre-install" in hooks:
        return 0
    if "post-install" in hooks:
        return 2
    return None


def _int(value: object) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def check(waits: Iterable[Wait], deployer: str) -> Iterator[Finding]:
    said: set[tuple[object, ...]] = set()
    for wait in waits:
        me = wait.workload.obj
        mine = phase(me, deployer)
        if mine.stage is None or wait.workload.ref.kind == "CronJob":
            continue
        for needed in _needed(wait):
            theirs = phase(needed, deployer)
            severity = _verdict(mine, theirs, wait, deployer)
            key = (wait.workload.ref, wait.target)
            if severity is None or key in said or needed.ref == wait.workload.ref:
                continue
            said.add(key)
            never = theirs.stage is None
            message = (f"waits for {wait.spec}, and {needed.ref} ({theirs}) "
                       + ("is never created on install" if never else f"is created only after it ({mine})"))
            hint = ("wait for something the install creates, or drop the dependency" if never else
                    "make the target part of an earlier phase (drop its hook annotation, or a lower weight/wave), "
                    "or the waiter part of a later one")
            yield finding("hook-order", me.manifest.file, me.manifest.line, wait.workload.ref, needed.ref,
                          f"{message} ({deployer})", hint, severity)


def _needed(wait: Wait) -> list[Obj]:
    """The objects the wait needs: the target, and the workloads behind it (any one of them
    for a Service or pod labels, where one ready pod is enough; else each)."""
    backers = [w.obj for w in wait.backers]
    if isinstance(wait.spec, (specs.Service, specs.Pod)) and backers:
        return list(wait.objects if isinstance(wait.spec, specs.Service) else []) + [backers[0]]
    return list({id(o): o for o in (*wait.objects, *backers)}.values())


def _verdict(mine: Phase, theirs: Phase, wait: Wait, deployer: str) -> Severity | None:
    assert mine.stage is not None
    if theirs.stage is None:
        return Severity.ERROR
    if theirs.stage > mine.stage:
        if mine.stage == 0:
            return Severity.ERROR
        if deployer == "helm":
            return None
        if deployer == "helm-wait" and wait.workload.ref.kind == "Job":
            return Severity.WARNING
        return Severity.ERROR
    if theirs.stage == mine.stage and theirs.order > mine.order and (deployer == "argocd" or mine.stage != MAIN):
        return Severity.ERROR
    return None
