#!/usr/bin/python3
"""The shipped schemas, checked by an independent validator (Debian's python3-jsonschema):
they are up to date with generate.py, well-formed, accept every example and reject every
malformed file whose defect a schema can express. Usage: check_schemas.py REPO SHARED"""
import glob
import importlib.util
import json
import os
import re
import sys

import jsonschema
import yaml

repo, shared = sys.argv[1], sys.argv[2]
failures = []


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reads YAML 1.1, where an unquoted 10022:22 is a base-60 integer; yaml-cpp and
    containerlab's Go reader read it as the string it is (a port mapping), so this reader does."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:int"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$|^0x[0-9a-fA-F]+$|^0o[0-7]+$"),
                                   list("-+0123456789"))


def load_yaml(text):
    return yaml.load(text, Loader=Yaml12Loader)


def load_yaml_all(text):
    return yaml.load_all(text, Loader=Yaml12Loader)


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
    errs = errors(clab_v, load_yaml(text))
    if errs:
        fail(f"{path}: rejected: {errs[0].message} at {list(errs[0].path)}")
    checked += 1
print(f"{checked} example topologies accepted by clab.schema.json")

for path in sorted(glob.glob(os.path.join(repo, "tests", "schemas", "good*.lab.yml"))):
    for doc in load_yaml_all(open(path).read()):
        for name, v in (("lab.schema.json", lab_v), ("lab-crd.yaml", crd_v)):
            errs = errors(v, doc)
            if errs:
                fail(f"{path}: rejected by {name}: {errs[0].message}")
for path in sorted(glob.glob(os.path.join(repo, "tests", "schemas", "bad*.lab.yml"))):
    for doc in load_yaml_all(open(path).read()):
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
    "34-iface-slash",  # whether a name with '/' is a vendor alias (1/1/c1/1) depends on the kind
    "47-bar-in-linux-node",  # whether "br|ctr" is allowed depends on the kind, which may be inherited
    # an address or range inside the file's management subnet: a relation between two values
    "49-mgmt-gw-outside", "50-node-mgmt-ipv4-outside", "52-mgmt-range-outside",
    # a key written twice: gone once the YAML is read into JSON, which keeps one of them
    "53-duplicate-node-key", "54-duplicate-key-in-flow", "55-duplicate-node",
    "59-extended-endpoint-unknown-node",  # a link end naming a node: a reference across the file
    "64-veth-stitch-one-node",  # the same node at both ends: a relation between two values
}
rejected = 0
for path in sorted(glob.glob(os.path.join(repo, "tests", "malformed", "*.clab.yml"))):
    name = os.path.basename(path)[: -len(".clab.yml")]
    if name in not_expressible:
        continue
    doc = load_yaml(open(path).read())
    if not errors(clab_v, doc):
        fail(f"{path}: accepted by clab.schema.json, but its defect is one a schema expresses")
    else:
        rejected += 1
print(f"{rejected} malformed files rejected by clab.schema.json; {len(not_expressible)} need labkeeper's own checks")


def render_unset(text):
    """A Go-templated topology as labkeeper renders it with no variables set: every
    {{ if .x }} false. Only if/else/end appear in the corpus; anything else fails the check."""
    out, stack = [], []
    pos = 0
    for m in re.finditer(r"\{\{(-?)\s*(if\s+\.\w+|else|end)\s*(-?)\}\}", text):
        piece = text[pos:m.start()]
        if m.group(1):
            piece = piece.rstrip()
        if all(stack):
            out.append(piece)
        word = m.group(2).split()[0]
        if word == "if":
            stack.append(False)
        elif word == "else":
            stack[-1] = not stack[-1]
        else:
            stack.pop()
        pos = m.end()
        if m.group(3):
            while pos < len(text) and text[pos].isspace():
                pos += 1
    out.append(text[pos:])
    rendered = "".join(out)
    if "{{" in rendered:
        raise ValueError("a template action other than if/else/end")
    return rendered


# containerlab's own files (its lab-examples/ and tests/): all accepted, templated ones once
# rendered, except those that need what labkeeper does not do yet, each with its reason.
corpus_pending = {}  # file -> why the schemas cannot take it yet (none since veth-stitch, issue 14)
corpus_root = os.path.join(shared, "containerlab-corpus")
corpus = sorted(glob.glob(os.path.join(corpus_root, "**", "*.clab.y*ml"), recursive=True))
accepted = 0
for path in corpus:
    rel = os.path.relpath(path, corpus_root)
    text = open(path).read()
    if "{{" in text:
        text = render_unset(text)
    errs = errors(clab_v, load_yaml(text))
    if rel in corpus_pending:
        if not errs:
            fail(f"{rel}: accepted now: take it off corpus_pending")
        print(f"  pending: {rel}: {corpus_pending[rel]}")
        continue
    if errs:
        fail(f"{rel}: rejected: {errs[0].message[:200]} at {list(errs[0].path)}")
    accepted += 1
if corpus and len(corpus) != 96:
    fail(f"the containerlab corpus has {len(corpus)} topology files, not 96")
print(f"{accepted} of {len(corpus)} containerlab corpus files accepted by clab.schema.json")

print(f"schemas: {checked + rejected + accepted} files checked, {len(failures)} failures")
sys.exit(1 if failures else 0)
