"""Kubernetes name rules, as k8s.io/apimachinery/pkg/util/validation checks them,
and the rule each message quotes when a name breaks it."""

from __future__ import annotations

import re

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_PART = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_KIND = re.compile(r"[A-Za-z]([-A-Za-z0-9]*[A-Za-z0-9])?")
LABEL_RULE = (
    'a DNS-1123 label (at most 63 characters: lowercase letters, digits and "-", '
    "starting and ending with a letter or digit)"
)
SUBDOMAIN_RULE = (
    'a DNS-1123 subdomain (at most 253 characters: lowercase letters, digits, "-" and ".", '
    'each "."-separated part starting and ending with a letter or digit)'
)
LABEL_KEY_RULE = (
    'valid (an optional DNS-1123 subdomain and "/", then at most 63 characters: '
    'letters, digits, "-", "_" and ".", starting and ending with a letter or digit)'
)
LABEL_VALUE_RULE = (
    'valid (empty, or at most 63 characters: letters, digits, "-", "_" and ".", '
    "starting and ending with a letter or digit)"
)
API_VERSION_RULE = "of the form version or group/version (e.g. v1, apps/v1, argoproj.io/v1alpha1)"
KIND_RULE = 'valid (letters, digits and "-", starting with a letter, e.g. Workflow)'
OBJECT_NAME_RULE = 'valid (not "." or "..", and no "/" or "%")'


def is_dns_label(text: str) -> bool:
    """RFC 1123 label as Kubernetes checks it: namespaces, container names."""
    return len(text) <= 63 and _DNS_LABEL.fullmatch(text) is not None


def is_dns_subdomain(text: str) -> bool:
    """RFC 1123 subdomain as Kubernetes checks it: most object names."""
    return 0 < len(text) <= 253 and all(_DNS_LABEL.fullmatch(p) for p in text.split("."))


def is_label_key(text: str) -> bool:
    """Label key: [prefix/]name, where the prefix is a DNS-1123 subdomain."""
    prefix, slash, name = text.rpartition("/")
    if slash and not is_dns_subdomain(prefix):
        return False
    return len(name) <= 63 and _QUALIFIED_PART.fullmatch(name) is not None


def is_label_value(text: str) -> bool:
    return text == "" or (len(text) <= 63 and _QUALIFIED_PART.fullmatch(text) is not None)



def is_any(text: str) -> bool:
    return True


def is_api_version(text: str) -> bool:
    group, slash, version = text.rpartition("/")
    return is_dns_label(version) and (not slash or is_dns_subdomain(group))


def is_kind(text: str) -> bool:
    return len(text) <= 63 and _KIND.fullmatch(text) is not None


def is_object_name(text: str) -> bool:
    """Path-segment rule: what any object name must meet to appear in a URL."""
    return text not in (".", "..") and not any(c in text for c in "/%")


def is_interface(text: str) -> bool:
    """Linux dev_valid_name: shorter than IFNAMSIZ (16), no "/", ":" or whitespace."""
    return len(text) < 16 and text not in (".", "..") and not any(c in "/:" or c.isspace() for c in text)
