"""Checks of deploy/ that need the YAML parsed; run by check.sh.

Writes each Kubernetes object that the Kubernetes schemas cover to OUT (the
Knative Service's pod template as a core PodTemplate) for kubernetes-validate,
and checks what no schema does: the references between objects (Secrets,
TriggerAuthentications, scale targets, Container Apps secrets) and that each
scaler's number equals the judging slots it stands for.
"""

import pathlib
import re
import sys

import yaml

DEPLOY = pathlib.Path(sys.argv[1])
OUT = pathlib.Path(sys.argv[2])
# KEDA's postgresql scaler's authentication parameters.
POSTGRESQL_AUTH = {"connection", "host", "port", "userName", "password", "dbName", "sslmode"}
# Fields of a Knative revision spec that a core PodSpec does not have.
KNATIVE_ONLY = {"containerConcurrency", "timeoutSeconds", "responseStartTimeoutSeconds", "idleTimeoutSeconds"}
failures = []


def fail(where, message):
    failures.append(f"{where}: {message}")


def slots(container):
    for env in container.get("env") or []:
        if env.get("name") == "JUDGEBOX_JUDGING_SLOTS":
            return str(env.get("value"))
    return None


def containers(pod_spec):
    return pod_spec.get("containers") or []


def secret_key_refs(pod_spec):
    for container in containers(pod_spec):
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                yield ref["name"], ref["key"]


documents = []  # (file, document)
for path in sorted(DEPLOY.rglob("*.yaml")):
    try:
        loaded = list(yaml.safe_load_all(path.read_text()))
    except yaml.YAMLError as error:
        fail(path.relative_to(DEPLOY), f"does not parse: {error}".replace("\n", " "))
        continue
    documents.extend((path.relative_to(DEPLOY), d) for d in loaded if isinstance(d, dict))

kube = [(f, d) for f, d in documents if "apiVersion" in d and "kind" in d]
by_kind = {}
for f, d in kube:
    by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
secrets = {
    name: set((d.get("data") or {}) | (d.get("stringData") or {}))
    for name, d in by_kind.get("Secret", {}).items()
}


def check_secret(where, name, key):
    if name not in secrets:
        fail(where, f"Secret {name} is not defined in deploy/")
    elif key not in secrets[name]:
        fail(where, f"Secret {name} has no key {key}")


validated = skipped = 0
for f, d in kube:
    where = f"{f} {d['kind']}/{d['metadata']['name']}"
    group = d["apiVersion"].rpartition("/")[0]
    to_validate = None
    if "." not in group or group.endswith(".k8s.io"):
        to_validate = d
        pod_spec = ((d.get("spec") or {}).get("template") or {}).get("spec")
        for name, key in secret_key_refs(pod_spec or {}):
            check_secret(where, name, key)
    elif group == "serving.knative.dev" and d["kind"] == "Service":
        template = d["spec"]["template"]
        spec = template["spec"]
        concurrency = str(spec.get("containerConcurrency"))
        if [slots(c) for c in containers(spec)] != [concurrency]:
            fail(where, f"containerConcurrency {concurrency} is not JUDGEBOX_JUDGING_SLOTS")
        for name, key in secret_key_refs(spec):
            check_secret(where, name, key)
        pod_spec = {k: v for k, v in spec.items() if k not in KNATIVE_ONLY}
        # Knative probes the container port when a probe names none.
        for container in containers(pod_spec):
            port = ((container.get("ports") or [{}])[0]).get("containerPort", 8080)
            for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                http_get = (container.get(probe) or {}).get("httpGet")
                if http_get is not None:
                    http_get.setdefault("port", port)
        to_validate = {
            "apiVersion": "v1",
            "kind": "PodTemplate",
            "metadata": {"name": d["metadata"]["name"]},
            "template": {"metadata": template.get("metadata") or {}, "spec": pod_spec},
        }
        print(f"  {where}: its pod template goes to kubernetes-validate as a PodTemplate")
    elif group == "keda.sh" and d["kind"] == "TriggerAuthentication":
        for ref in d["spec"].get("secretTargetRef") or []:
            check_secret(where, ref["name"], ref["key"])
            if ref["parameter"] not in POSTGRESQL_AUTH:
                fail(where, f"{ref['parameter']} is no parameter of KEDA's postgresql scaler")
        skipped += 1
    elif group == "keda.sh" and d["kind"] == "ScaledObject":
        target = d["spec"]["scaleTargetRef"]["name"]
        deployment = by_kind.get("Deployment", {}).get(target)
        if deployment is None:
            fail(where, f"scaleTargetRef {target} is no Deployment in deploy/")
        for trigger in d["spec"]["triggers"]:
            auth = (trigger.get("authenticationRef") or {}).get("name")
            if auth not in by_kind.get("TriggerAuthentication", {}):
                fail(where, f"authenticationRef {auth} is no TriggerAuthentication in deploy/")
            if trigger["type"] == "postgresql" and deployment is not None:
                target_slots = [slots(c) for c in containers(deployment["spec"]["template"]["spec"])]
                if target_slots != [str(trigger["metadata"].get("targetQueryValue"))]:
                    fail(where, "targetQueryValue is not the target's JUDGEBOX_JUDGING_SLOTS")
        skipped += 1
    else:
        fail(where, "a kind this script does not know: add a check or a reason to skip it")
    if to_validate is not None:
        # Named after where it comes from, as kubernetes-validate reports it.
        source = str(f).replace("/", "_").removesuffix(".yaml")
        out = OUT / f"{source}--{d['kind'].lower()}-{d['metadata']['name']}.yaml"
        out.write_text(yaml.safe_dump(to_validate, sort_keys=False))
        validated += 1
print(f"  {validated} objects for kubernetes-validate; {skipped} KEDA objects checked by references only "
      "(their CRD schemas are not in kubernetes-validate)")

# Azure Container Apps: secretRefs name app secrets; scale numbers equal the slots.
for f, d in documents:
    properties = d.get("properties")
    if not isinstance(properties, dict) or "template" not in properties:
        continue
    app_secrets = {s["name"] for s in properties["configuration"].get("secrets") or []}
    template = properties["template"]
    app_slots = [slots(c) for c in template["containers"]]
    refs = [e["secretRef"] for c in template["containers"] for e in c.get("env") or [] if "secretRef" in e]
    for rule in (template.get("scale") or {}).get("rules") or []:
        if "http" in rule:
            if [str(rule["http"]["metadata"]["concurrentRequests"])] != app_slots:
                fail(f, f"rule {rule['name']}: concurrentRequests is not JUDGEBOX_JUDGING_SLOTS")
        custom = rule.get("custom") or {}
        if custom.get("type") == "postgresql":
            if [str(custom["metadata"].get("targetQueryValue"))] != app_slots:
                fail(f, f"rule {rule['name']}: targetQueryValue is not JUDGEBOX_JUDGING_SLOTS")
            for auth in custom.get("auth") or []:
                refs.append(auth["secretRef"])
                if auth["triggerParameter"] not in POSTGRESQL_AUTH:
                    fail(f, f"{auth['triggerParameter']} is no parameter of KEDA's postgresql scaler")
    for ref in sorted(set(refs)):
        if ref not in app_secrets:
            fail(f, f"secretRef {ref} names no secret of the app")
    print(f"  {f}: Container Apps references checked")

# Compose: a password or token may be required (${X:?...}), never defaulted.
for f, d in documents:
    if "services" in d:
        text = (DEPLOY / f).read_text()
        for name in re.findall(r"\$\{(\w*(?:PASSWORD|TOKEN)\w*)(?::?-)", text):
            fail(f, f"${{{name}}} has a default value: require it with ${{{name}:?...}}")
        print(f"  {f}: no default for a password or token")

for failure in failures:
    print(f"FAIL {failure}")
sys.exit(1 if failures else 0)
