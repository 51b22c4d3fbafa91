"""kep: wait for Kubernetes dependencies declared in DEPENDENCY_*, then exec the command."""

__version__ = "0.1.0"
