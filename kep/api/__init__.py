"""Plain REST access to the Kubernetes API. Knows nothing of dependency kinds.

`requests` is imported only by kep.api.client, and only when an API kind is declared;
PyYAML only by kep.api.kubeconfig, and only when a kubeconfig file is read.
"""
