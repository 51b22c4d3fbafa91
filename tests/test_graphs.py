"""kep.graphs.cycles: Tarjan's strongly connected components that are cycles."""

from __future__ import annotations

import pytest

from kep.graphs import cycles

GRAPHS = [
    ("no edge", {"a": []}, []),
    ("a chain", {"a": ["b"], "b": ["c"], "c": []}, []),
    ("a node waiting on itself", {"a": ["a"], "b": ["a"]}, [("a",)]),
    ("a cycle of three behind a waiter", {"w": ["a"], "a": ["b"], "b": ["c"], "c": ["a"]}, [("a", "b", "c")]),
    ("two cycles", {"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"]}, [("a", "b"), ("c", "d")]),
    ("an edge to a node with none of its own", {"a": ["z"], "z": ["a"]}, [("a", "z")]),
    ("a node only named as a target", {"a": ["b"]}, []),
]


@pytest.mark.parametrize(("case", "edges", "found"), GRAPHS, ids=[g[0] for g in GRAPHS])
def test_cycles(case: str, edges: dict[str, list[str]], found: list[tuple[str, ...]]) -> None:
    assert sorted(cycles(edges)) == found


def test_a_chain_longer_than_the_recursion_limit() -> None:
    edges = {i: [i + 1] for i in range(5000)}
    edges[5000] = [0]
    assert [len(c) for c in cycles(edges)] == [5001]
