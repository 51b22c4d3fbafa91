"""A container's environment rebuilt from the pod object as the kubelet builds it."""

from __future__ import annotations

from kep.status.podenv import environment, expand

POD = {"metadata": {"name": "nova-api-1", "namespace": "openstack", "uid": "u-1",
                    "labels": {"application": "nova"}, "annotations": {"a": "b"}},
       "spec": {"nodeName": "node-1", "serviceAccountName": "nova"},
       "status": {"hostIP": "10.0.0.5", "podIP": "10.244.0.3", "podIPs": [{"ip": "10.244.0.3"}, {"ip": "fd00::3"}]}}
CONFIGMAPS = {"deps": {"DEPENDENCY_JOBS": "db-sync", "bad name": "x", "SERVICES": "mariadb"}}


def configmap(namespace: str, name: str):
    assert namespace == "openstack"
    return CONFIGMAPS.get(name, "not found")


def env_of(*entries, env_from=()):
    return environment(POD, {"name": "init", "env": list(entries), "envFrom": list(env_from)}, configmap)


def field(name: str, path: str) -> dict:
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}


def test_field_refs_are_the_pods_own_values():
    env = env_of(field("POD_NAME", "metadata.name"), field("NAMESPACE", "metadata.namespace"),
                 field("NODE", "spec.nodeName"), field("APP", "metadata.labels['application']"),
                 field("IPS", "status.podIPs"), field("SA", "spec.serviceAccountName"), field("UID", "metadata.uid"))
    assert env.values == {"POD_NAME": "nova-api-1", "NAMESPACE": "openstack", "NODE": "node-1", "APP": "nova",
                          "IPS": "10.244.0.3,fd00::3", "SA": "nova", "UID": "u-1"}
    assert not env.unknown


def test_values_expand_earlier_variables_as_the_kubelet_does():
    env = env_of(field("NS", "metadata.namespace"), {"name": "DEPENDENCY_SERVICE", "value": "$(NS):mariadb,$(NOPE)"})
    assert env.values["DEPENDENCY_SERVICE"] == "openstack:mariadb,$(NOPE)"
    assert expand("$$(NS) $x $( a$", {"NS": "n"}) == "$(NS) $x $( a$"


def test_configmaps_are_read_and_env_wins_over_env_from():
    env = env_of({"name": "DEPENDENCY_SERVICE", "valueFrom": {"configMapKeyRef": {"name": "deps", "key": "SERVICES"}}},
                 {"name": "DEPENDENCY_JOBS", "value": "other"}, env_from=[{"configMapRef": {"name": "deps"}}])
    assert env.values == {"DEPENDENCY_SERVICE": "mariadb", "DEPENDENCY_JOBS": "other", "SERVICES": "mariadb"}


def test_a_prefix_applies_and_a_missing_optional_configmap_sets_nothing():
    env = env_of({"name": "X", "valueFrom": {"configMapKeyRef": {"name": "gone", "key": "k", "optional": True}}},
                 env_from=[{"configMapRef": {"name": "deps"}, "prefix": "P_"}, {"configMapRef": {"name": "gone",
                                                                                             "optional": True}}])
    assert env.values == {"P_DEPENDENCY_JOBS": "db-sync", "P_SERVICES": "mariadb"}
    assert not env.unread and not env.unknown


def test_secrets_are_unknown_and_never_read():
    env = env_of({"name": "DEPENDENCY_SERVICE", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                 {"name": "X", "valueFrom": {"configMapKeyRef": {"name": "gone", "key": "k"}}},
                 env_from=[{"secretRef": {"name": "creds"}}])
    assert env.unknown == {"DEPENDENCY_SERVICE": "from secret s (kep status reads no Secret)",
                           "X": "configmap gone: not found"}
    assert env.unread == ("envFrom secret creds (kep status reads no Secret)",)
