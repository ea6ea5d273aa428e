#!/usr/bin/python3
"""Checks docs/openapi.yaml against a running controller's real answers, with an independent
validator (Debian's python3-jsonschema). Every documented operation is exercised at least once,
and every answer must be documented: its status code for that operation, and its body must
validate against the documented schema.

Usage: check_openapi.py OPENAPI_YAML BASE_URL LAB TOKEN   (the controller listens on loopback)
"""
import copy
import json
import time
import sys
import urllib.error
import urllib.request

import jsonschema
import yaml

spec_path, base, lab, token = sys.argv[1:5]
spec = yaml.safe_load(open(spec_path))
failures = []
exercised = set()


def to_jsonschema(node):
    """OpenAPI 3.0's schema dialect to JSON Schema: nullable becomes a null alternative."""
    if isinstance(node, list):
        return [to_jsonschema(x) for x in node]
    if not isinstance(node, dict):
        return node
    node = {k: to_jsonschema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


components = to_jsonschema(copy.deepcopy(spec["components"]))


def resolve(obj):
    while isinstance(obj, dict) and "$ref" in obj and obj["$ref"].startswith("#/components/"):
        parts = obj["$ref"][len("#/components/"):].split("/")
        obj = spec["components"]
        for p in parts:
            obj = obj[p]
    return obj


def call(method, path, template, body=None, auth=True, headers=None):
    req = urllib.request.Request(base + path, method=method, data=body)
    if auth and token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, ctype, text = r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        status, ctype, text = e.code, e.headers.get("Content-Type", ""), e.read().decode()
    exercised.add((template, method.lower()))
    op = spec["paths"][template][method.lower()]
    doc = op["responses"].get(str(status))
    where = f"{method} {path} -> {status}"
    if doc is None:
        failures.append(f"{where}: status not documented")
        return status, None
    doc = resolve(doc)
    content = doc.get("content", {})
    media = next(iter(content), None)
    if media is None:
        return status, None
    if media.split(";")[0] not in ctype:
        failures.append(f"{where}: content type {ctype!r}, documented {media!r}")
    if media != "application/json":
        return status, text
    try:
        value = json.loads(text)
    except ValueError as e:
        failures.append(f"{where}: not JSON: {e}")
        return status, None
    schema = {"$ref": "#/components/schemas/x", "components": components}
    target = to_jsonschema(content[media]["schema"])
    schema = dict(target, components=components)
    errs = list(jsonschema.Draft7Validator(schema).iter_errors(value))
    for e in errs[:3]:
        failures.append(f"{where}: {e.message} at {list(e.path)}")
    return status, value


def expect(got, want, what):
    if got != want:
        failures.append(f"{what}: status {got}, expected {want}")


expect(call("GET", "/healthz", "/healthz")[0], 200, "healthz")
expect(call("GET", "/readyz", "/readyz")[0], 200, "readyz")
st, text = call("GET", "/metrics", "/metrics")
expect(st, 200, "metrics")
if text is not None and "labkeeper_" not in text:
    failures.append("metrics: no labkeeper_ series")
st, labs = call("GET", "/api/v1/labs", "/api/v1/labs")
expect(st, 200, "list")
if labs and lab not in [l["name"] for l in labs["labs"]]:
    failures.append(f"list: lab {lab} missing")
one = "/api/v1/labs/{name}"
st, doc = call("GET", f"/api/v1/labs/{lab}", one)
expect(st, 200, "get lab")
if doc and (doc["name"] != lab or not doc["status"]["nodes"]):
    failures.append("get lab: wrong name or no nodes")
expect(call("GET", "/api/v1/labs/no-such-lab", one)[0], 404, "unknown lab")
expect(call("GET", "/api/v1/labs/bad%20name", one)[0], 400, "bad lab name")
ifc = "/api/v1/labs/{name}/interfaces"
st, ifaces = call("GET", f"/api/v1/labs/{lab}/interfaces", ifc)
expect(st, 200, "interfaces")
if ifaces is not None and not ifaces["interfaces"]:
    failures.append("interfaces: none for a lab with links")
expect(call("GET", "/api/v1/labs/no-such-lab/interfaces", ifc)[0], 404, "interfaces of unknown lab")
st, plan = call("GET", f"/api/v1/labs/{lab}/plan", "/api/v1/labs/{name}/plan")
expect(st, 200, "plan")
expect(call("GET", "/api/v1/labs/no-such-lab/plan", "/api/v1/labs/{name}/plan")[0], 404, "plan of unknown lab")
rec = "/api/v1/labs/{name}/reconcile"
if token:
    expect(call("POST", f"/api/v1/labs/{lab}/reconcile", rec, auth=False)[0], 401, "reconcile without token")
expect(call("POST", f"/api/v1/labs/{lab}/reconcile", rec)[0], 202, "reconcile")
expect(call("POST", f"/api/v1/labs/{lab}/reconcile", rec, body=b"{not json",
            headers={"Content-Type": "application/json"})[0], 400, "reconcile with bad JSON")
expect(call("POST", "/api/v1/labs/no-such-lab/reconcile", rec)[0], 404, "reconcile unknown lab")
st, s = call("POST", f"/api/v1/labs/{lab}/suspend", "/api/v1/labs/{name}/suspend")
expect(st, 200, "suspend")
st, doc = call("GET", f"/api/v1/labs/{lab}", one)
if doc and doc["status"]["suspendedBy"] != "api":
    failures.append("suspend: the lab does not say suspendedBy api")
expect(call("POST", f"/api/v1/labs/{lab}/resume", "/api/v1/labs/{name}/resume")[0], 200, "resume")
expect(call("POST", "/api/v1/labs/no-such-lab/suspend", "/api/v1/labs/{name}/suspend")[0], 404, "suspend unknown")
expect(call("POST", "/api/v1/labs/no-such-lab/resume", "/api/v1/labs/{name}/resume")[0], 404, "resume unknown")



def follow_events(query="", ask=True):
    """GET /api/v1/events: a stream of StreamEvent lines; a pass asked for shows its result. With
    since and boot (a lab document's cursor), the stream starts with what came after it."""
    template = "/api/v1/events"
    exercised.add((template, "get"))
    doc = spec["paths"][template]["get"]["responses"]["200"]
    media = next(iter(doc["content"]))
    schema = dict(to_jsonschema(doc["content"][media]["schema"]), components=components)
    req = urllib.request.Request(base + f"/api/v1/events?lab={lab}" + query)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req, timeout=60) as r:
        if r.status != 200 or media not in r.headers.get("Content-Type", ""):
            failures.append(f"GET {template}: {r.status} {r.headers.get('Content-Type')}, documented 200 {media}")
            return
        if ask:
            call("POST", f"/api/v1/labs/{lab}/reconcile", rec)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = r.readline()
            if not line:
                failures.append(f"GET {template}: the stream ended before the pass's result")
                return
            if not line.strip():
                continue  # a heartbeat
            value = json.loads(line)
            for e in list(jsonschema.Draft7Validator(schema).iter_errors(value))[:3]:
                failures.append(f"GET {template}: {e.message} at {list(e.path)}")
            if value.get("reason") == "Reconciled":
                return
        failures.append(f"GET {template}{query}: no Reconciled event in 60 s")


follow_events()
# Resuming: the lab document's cursor, a pass asked for before the stream is opened, and the
# stream from the cursor still carries that pass's result (it was missed, not lost).
st, doc = call("GET", f"/api/v1/labs/{lab}", one)
if doc:
    call("POST", f"/api/v1/labs/{lab}/reconcile", rec)
    time.sleep(3)
    follow_events(f"&since={doc['cursor']['seq']}&boot={doc['cursor']['boot']}", ask=False)
expect(call("GET", "/api/v1/events?since=1", "/api/v1/events")[0], 400, "events with since but no boot")
expect(call("GET", "/api/v1/events?lab=bad%20name", "/api/v1/events")[0], 400, "events of a bad lab name")

documented = {(p, m) for p, ops in spec["paths"].items() for m in ops if m in ("get", "post", "put", "delete", "patch")}
for p, m in sorted(documented - exercised):
    failures.append(f"{m.upper()} {p}: documented but not exercised")

for f in failures:
    print("FAIL", f)
print(f"openapi: {len(exercised)} operations exercised, {len(failures)} failures")
sys.exit(1 if failures else 0)
