#!/usr/bin/python3
"""The shipped schemas, checked by an independent validator (Debian's python3-jsonschema):
they are up to date with generate.py, well-formed, accept every example and reject every
malformed file whose defect a schema can express. Usage: check_schemas.py REPO SHARED"""
import glob
import importlib.util
import json
import os
import sys

import jsonschema
import yaml

repo, shared = sys.argv[1], sys.argv[2]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL", msg)


def load_json(name):
    with open(os.path.join(repo, "crds-like-schemas", name)) as f:
        return json.load(f)


# Up to date with the generator.
spec = importlib.util.spec_from_file_location("generate", os.path.join(repo, "crds-like-schemas", "generate.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
if load_json("clab.schema.json") != gen.CLAB or load_json("lab.schema.json") != gen.LAB:
    fail("crds-like-schemas/*.json differ from generate.py: run it again")
with open(os.path.join(repo, "crds-like-schemas", "lab-crd.yaml")) as f:
    crd = yaml.safe_load(f)
if crd != json.loads(json.dumps(gen.CRD)):
    fail("crds-like-schemas/lab-crd.yaml differs from generate.py: run it again")

clab = load_json("clab.schema.json")
lab = load_json("lab.schema.json")
crd_schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def openapi_to_jsonschema(n):
    """OpenAPI's `nullable: true` is JSON Schema's "or null"; the rest is draft-04 as is."""
    if isinstance(n, list):
        return [openapi_to_jsonschema(x) for x in n]
    if not isinstance(n, dict):
        return n
    n = {k: openapi_to_jsonschema(v) for k, v in n.items()}
    if n.pop("nullable", False):
        return {"anyOf": [n, {"type": "null"}]}
    return n
jsonschema.Draft7Validator.check_schema(clab)
jsonschema.Draft7Validator.check_schema(lab)
jsonschema.Draft4Validator.check_schema(crd_schema)  # OpenAPI v3's schema dialect is draft-04's
clab_v, lab_v = jsonschema.Draft7Validator(clab), jsonschema.Draft7Validator(lab)
crd_v = jsonschema.Draft4Validator(openapi_to_jsonschema(crd_schema))


def errors(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: list(e.path))


# Every example is accepted (templated files are rendered by labkeeper first, so not here).
examples = sorted(glob.glob(os.path.join(shared, "clab-examples", "**", "*.clab.y*ml"), recursive=True))
examples += sorted(glob.glob(os.path.join(repo, "examples", "**", "*.clab.y*ml"), recursive=True))
checked = 0
for path in examples:
    text = open(path).read()
    if "{{" in text:
        continue
    errs = errors(clab_v, yaml.safe_load(text))
    if errs:
        fail(f"{path}: rejected: {errs[0].message} at {list(errs[0].path)}")
    checked += 1
print(f"{checked} example topologies accepted by clab.schema.json")

for path in sorted(glob.glob(os.path.join(repo, "tests", "schemas", "good*.lab.yml"))):
    for doc in yaml.safe_load_all(open(path)):
        for name, v in (("lab.schema.json", lab_v), ("lab-crd.yaml", crd_v)):
            errs = errors(v, doc)
            if errs:
                fail(f"{path}: rejected by {name}: {errs[0].message}")
for path in sorted(glob.glob(os.path.join(repo, "tests", "schemas", "bad*.lab.yml"))):
    for doc in yaml.safe_load_all(open(path)):
        for name, v in (("lab.schema.json", lab_v), ("lab-crd.yaml", crd_v)):
            if not errors(v, doc):
                fail(f"{path}: accepted by {name}")

# The malformed corpus: defects a schema can express must be rejected. The others need the
# whole file at once (a link to a node that does not exist, an endpoint used twice, inheritance)
# or are not YAML at all; labkeeper's own validation catches them (tests/unit/malformed_test.cc).
not_expressible = {
    "01-yaml-unclosed-flow", "02-yaml-bad-indent", "03-yaml-tab", "12-node-no-kind", "14-node-no-image",
    "27-exec-unterminated-quote", "31-endpoint-unknown-node", "32-endpoint-twice",
    "44-template-unsupported",
    "47-bar-in-linux-node",  # whether "br|ctr" is allowed depends on the kind, which may be inherited
    # an address or range inside the file's management subnet: a relation between two values
    "49-mgmt-gw-outside", "50-node-mgmt-ipv4-outside", "52-mgmt-range-outside",
    # a key written twice: gone once the YAML is read into JSON, which keeps one of them
    "53-duplicate-node-key", "54-duplicate-key-in-flow", "55-duplicate-node",
    "59-extended-endpoint-unknown-node",  # a link end naming a node: a reference across the file
    # port numbers in range and DNS servers as addresses: not in the schemas yet (issue 14, point 7)
    "61-port-out-of-range", "62-dns-server-not-ip",
}
rejected = 0
for path in sorted(glob.glob(os.path.join(repo, "tests", "malformed", "*.clab.yml"))):
    name = os.path.basename(path)[: -len(".clab.yml")]
    if name in not_expressible:
        continue
    doc = yaml.safe_load(open(path))
    if not errors(clab_v, doc):
        fail(f"{path}: accepted by clab.schema.json, but its defect is one a schema expresses")
    else:
        rejected += 1
print(f"{rejected} malformed files rejected by clab.schema.json; {len(not_expressible)} need labkeeper's own checks")

print(f"schemas: {checked + rejected} files checked, {len(failures)} failures")
sys.exit(1 if failures else 0)
