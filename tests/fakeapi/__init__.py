"""A fake kube-apiserver for kep's tests (test code only, never shipped).

Real HTTPS (a CA made on the fly; serving certificate for 127.0.0.1, ::1, localhost),
HTTP/1.1 keep-alive, one daemon thread per connection, chunked watch streams. It answers
like the real server where kep can tell the difference; the tests in this package pin
those answers and name the Kubernetes source they were checked against.

Python API (`FakeApiServer`)
----------------------------
    FakeApiServer(custom_resources=[CustomResourceDef(group, version, kind, plural, namespaced=True)],
                  bookmark_interval=1.0, history=1000, *, host="127.0.0.1", port=0,
                  anonymous=False, too_large_wait=3.0, workdir=None)
    .start() -> self / .stop() (never hangs; cuts open watches) / `with FakeApiServer() as api:`
    .url  .port  .host  .ca_file  .ca_pem  .admin_token  .resource_version
    .add_token(rules=None, user="system:serviceaccount:default:kep", groups=()) -> token
          rules=None: everything; a list of Rule(verbs, api_groups, resources, namespaces=None,
          names=None) (or dicts with RBAC keys verbs/apiGroups/resources/resourceNames/namespaces)
    .set_rules(token, rules)  .revoke_token(token)
    .issue_client_cert(cn, groups=(), directory=None) -> (cert_path, key_path)   user = CN
    .cert_rules(cn, rules)                 rules for certificate users (default: everything)
    .write_service_account(dir, token, namespace="default") -> dir   (token, ca.crt, namespace)
    .in_cluster_env(sa_dir) -> {KUBERNETES_SERVICE_HOST, KUBERNETES_SERVICE_PORT, KEP_SERVICE_ACCOUNT_DIR}
    .write_kubeconfig(path, token=None, client_cert=False, *, namespace="default", user="kep-client",
                      embed=False, server=None, context="fake") -> path
    .add_custom_resource(CustomResourceDef(...))
    .create(obj) -> obj          keeps .status as given (REST POST resets it, as the real server)
    .replace(obj) -> obj         whole object, .status included, resourceVersion ignored
    .apply(obj) -> obj           create or replace
    .patch(api_version, plural, namespace, name, patch, subresource=None) -> obj
          dict = merge patch, list = JSON patch; real rules: .status changes only with
          subresource="status" (a dict touching status without it raises ValueError)
    .delete(api_version, plural, namespace, name) -> obj | None   (finalizers: marks only)
    .get(api_version, plural, namespace, name) -> obj | None
    .list(api_version, plural, namespace=None) -> [obj]
    .fault(verb, plural, times=1, code=500, retry_after=None, message=None)   verb/plural may be "*"
    .slow(verb, plural, seconds, times=1)   .clear_faults()
    .drop_watches() -> n   .compact() -> rv   .open_watches   .wait_for_watches(n, timeout=5, exactly=False)
    .counts (Counter of (verb, resource))   .reset_counts()   .requests ([RequestRecord])   .clear_requests()
Errors from the Python helpers are `ApiError` (code, reason, message, status()).

Counts, faults and RBAC use the real verbs: get, list, watch, create, update, patch,
delete, deletecollection; resource is the plural, "plural/status" for the subresource, or
the path for non-resource requests ("/api/v1").

pytest
------
    from tests.fakeapi.fixtures import fake_api  # noqa: F401
`fake_api` (function scope) serves stable.example.com/v1 Foo (foos), example.com/v1 Widget
(widgets) and the cluster-scoped example.com/v1 Gadget (gadgets), bookmarks every 0.2 s;
`@pytest.mark.fake_api(**FakeApiServer kwargs)` changes that per test.

Separate process
----------------
    python -m tests.fakeapi --port 0 --state-dir DIR [--crd group/version/Kind/plural[/cluster]]...
                            [--bookmark-interval S] [--history N] [--anonymous] [--host H]
DIR gets url, ca.crt, admin-token, kubeconfig, pid and, last, ready. SIGTERM: clean exit 0.
Drive it with the admin token over the normal REST verbs and the control API (admin token
only, JSON in and out, never counted):
    POST   /_fake/tokens        {"rules": [...]|null, "user": "...", "groups": [...]} -> {"token"}
    POST   /_fake/client-certs  {"cn": "...", "groups": [...], "rules": [...]} -> {"cert", "key"} (PEM)
    GET    /_fake/counts        -> {"counts": [{"verb","resource","count"}], "total"}
    DELETE /_fake/counts        (also POST /_fake/counts/reset)
    GET    /_fake/requests      -> {"requests": [{method, path, query, user_agent, user, verb,
                                                  resource, namespace, name, time}]}
    DELETE /_fake/requests
    POST   /_fake/faults        {"verb", "resource", "times", "code", "retryAfter", "message"}
    DELETE /_fake/faults        (clears faults and slow answers)
    POST   /_fake/slow          {"verb", "resource", "seconds", "times"}
    POST   /_fake/drop-watches  -> {"dropped": n}
    POST   /_fake/compact       -> {"resourceVersion": "N"}
    GET    /_fake/state         -> {"resourceVersion": "N", "openWatches": n}
    POST   /_fake/objects       object -> create keeping .status (like .create())
    PUT    /_fake/objects       object -> replace (like .replace())

What a client must be ready for (as with the real server)
---------------------------------------------------------
* 410 on watch comes as a 200 stream with one ERROR event whose object is a Status
  {code 410, reason "Expired", message "too old resource version: X (Y)"}, then the
  stream ends; the only HTTP 410 is for an expired list `continue` token.
* 429 is plain text with Retry-After (API Priority and Fairness), not a Status; an
  unknown group is a plain-text "404 page not found"; inside a built-in group (an unknown
  version too, and /api/v2) an unknown resource is a Status 404 "the server could not find
  the requested resource".
* Items of built-in lists have no kind/apiVersion.
* A watch without resourceVersion (or "0") starts with ADDED for every current object.
* Bookmarks only with allowWatchBookmarks; their object has kind, apiVersion and
  metadata.resourceVersion (plus creationTimestamp null for built-in kinds; the end of
  sendInitialEvents also has the initial-events-end and list-blueprint annotations).
* An object that stops matching the selector arrives as DELETED (its previous content, the
  new resourceVersion); one that starts matching as ADDED.
* A write that changes nothing gets no new resourceVersion and no event.
"""

from .certs import CertAuthority
from .server import CustomResourceDef, FakeApiServer, Identity, RequestRecord, Rule
from .store import ApiError, ResourceType

__all__ = [
    "ApiError",
    "CertAuthority",
    "CustomResourceDef",
    "FakeApiServer",
    "Identity",
    "RequestRecord",
    "ResourceType",
    "Rule",
]
