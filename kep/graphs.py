"""The cycles of a directed graph of waits: the one graph algorithm kep needs, for `kep
status` (pods waiting on pods) and `kep lint` (workloads waiting on workloads).

Tarjan's strongly connected components, iterative (a chain of waits can be longer than
Python's recursion limit). Nodes are visited in sorted order, so the answer is the same
from run to run.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any, Protocol, TypeVar


class _Node(Hashable, Protocol):
    def __lt__(self, other: Any) -> bool: ...


N = TypeVar("N", bound=_Node)


def cycles(edges: Mapping[N, Iterable[N]]) -> list[tuple[N, ...]]:
    """The strongly connected components that are cycles: of more than one node, or of one
    node with an edge to itself; each sorted, in the order Tarjan's algorithm closes them."""
    successors = {node: sorted(set(after)) for node, after in edges.items()}
    index: dict[N, int] = {}
    low: dict[N, int] = {}
    stack: list[N] = []
    on_stack: set[N] = set()
    found: list[tuple[N, ...]] = []
    for root in sorted(successors):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[N, Iterator[N]]] = [(root, iter(successors[root]))]
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[N] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in successors.get(node, ()):
                    found.append(tuple(sorted(component)))
    return found
