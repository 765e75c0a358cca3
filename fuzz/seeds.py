#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into OUT/<target>/ (scripts/fuzz.sh).

Seeds come from the tests' fixtures, the example repository, the committed
fuzz/corpus/<target>/ files and, when it is there, the read-only shared test data
(../shared/testdata beside the repository; each folder's SOURCES.md says what it
is). Files are named by the SHA-1 of their content, as libFuzzer names what it
finds, so running this again adds nothing twice.

usage: seeds.py OUT [SHARED_TESTDATA]
"""
import hashlib
import io
import json
import pathlib
import re
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_SEED = 64 * 1024  # bigger files slow every mutation; the fuzzer makes big inputs itself

# github_api selects the call with its first byte: 'a' + n is case n of fuzz/github_api.cpp.
CALLS = {
    "GET /user": 0, "pulls/N": 1, "commits/SHA/pulls": 2, "reviews": 3, "pulls/N/commits": 4,
    "GET comments": 5, "POST comments": 6, "PATCH comment": 7, "statuses GET": 9, "statuses POST": 10,
    "runs/N": 11, "approvals": 12, "rules": 13, "GET issues": 14, "POST issues": 15, "PATCH issue": 16,
    "GET pulls": 17, "POST pulls": 18, "PATCH pull": 19, "deployments": 20,
}


def write(out, target, data):
    if isinstance(data, str):
        data = data.encode()
    if not data or len(data) > MAX_SEED:
        return
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def files(base, *patterns):
    if not base.is_dir():
        return []
    return sorted(p for pattern in patterns for p in base.rglob(pattern) if p.is_file())


def api_call(method, path, body):
    """The github_api case that reads a response to `method path` (a guess by shape)."""
    path = path.split("?")[0]
    rules = [
        (r"/user$", "GET /user"), (r"/commits/[^/]+/pulls$", "commits/SHA/pulls"), (r"/reviews$", "reviews"),
        (r"/pulls/\d+/commits$", "pulls/N/commits"), (r"/statuses", "statuses " + method),
        (r"/actions/runs/\d+/approvals$", "approvals"), (r"/actions/runs/\d+$", "runs/N"), (r"/rules/", "rules"),
        (r"/deployments", "deployments"), (r"/issues/comments/\d+$", "PATCH comment"),
        (r"/issues/\d+/comments$", method + " comments"), (r"/issues/\d+$", "PATCH issue"),
        (r"/issues$", method + " issues"), (r"/pulls/\d+$", "PATCH pull" if method == "PATCH" else "pulls/N"),
        (r"/pulls$", method + " pulls"),
    ]
    for pattern, name in rules:
        if re.search(pattern, path) and name in CALLS:
            return CALLS[name]
    return CALLS["GET comments"] if isinstance(body, list) else CALLS["pulls/N"]


def api_seed(call, status, headers, body):
    text = body if isinstance(body, str) else json.dumps(body)
    link = {k.lower(): v for k, v in (headers or {}).items()}.get("link")
    head = ""
    if status not in (None, 200) or link:
        head = f"HTTP/1.1 {status or 200}\n" + (f"link: {link}\n" if link else "") + "\n"
    return chr(ord("a") + call) + head + text


def main():
    out = pathlib.Path(sys.argv[1])
    shared = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT.parent / "shared" / "testdata"

    for committed in files(ROOT / "fuzz" / "corpus", "*"):
        write(out, committed.parent.name, committed.read_bytes())

    # converge.yaml: the example, and the configs the config tests parse (raw strings).
    for path in files(ROOT / "examples", "converge.yaml"):
        write(out, "config", path.read_bytes())
    for path in files(ROOT / "tests", "*.cpp"):
        for text in re.findall(r'R"\((.*?)\)"', path.read_text(errors="replace"), re.S):
            if "environments:" in text:
                write(out, "config", text)

    # Templates: every case of the differential corpus, and the example's templates.
    for path in files(ROOT / "tests" / "template" / "corpus", "*.json"):
        for case in json.loads(path.read_text()):
            write(out, "template", case["template"])
    for path in files(ROOT / "examples", "*.j2"):
        write(out, "template", path.read_bytes())

    # YAML read as PyYAML reads it: variables files, asset sources, Fabric's config files.
    for path in files(ROOT / "tests" / "template" / "corpus", "*.yaml") + files(ROOT / "examples", "*.yaml"):
        write(out, "yaml_variables", path.read_bytes())
    for path in files(shared / "superset-assets", "*.yaml") + files(shared / "fabric-items", "*.yml"):
        write(out, "yaml_variables", path.read_bytes())

    # Superset exports: the shared example assets and the quickstart's, zipped under a
    # root folder as Superset's export writes them, all together and one by one.
    exported = files(shared / "superset-assets", "*.yaml") + files(ROOT / "examples" / "quickstart" / "assets", "*.yaml")
    bundles = [exported] + [[path] for path in exported]
    for bundle in bundles:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("assets_export_20261207T000000/metadata.yaml", "version: 1.0.0\ntype: assets\n")
            for path in bundle:
                kind = path.parent.name if path.parent.name != "examples" else "datasets/examples"
                archive.writestr("assets_export_20261207T000000/" + kind + "/" + path.name, path.read_bytes())
        write(out, "superset_export", buffer.getvalue())

    for path in files(ROOT / "examples", "*.sql") + files(shared / "dbmate-migrations", "*.sql"):
        write(out, "migration", path.read_bytes())

    for path in files(shared / "github-events", "*.json"):
        write(out, "event", path.read_bytes())

    for path in files(shared / "terraform-plans", "*.json"):
        write(out, "terraform_plan", path.read_bytes())

    # Fabric: each parameter.yml with a part of its workspace (fabric_parameters: the
    # file, NUL, a part, NUL, another part), and the find_key paths of the parameter
    # files and the JSONPath tests with the workspaces' JSON parts (fabric_json_path:
    # the path, NUL, the document).
    workspaces = [ROOT / "tests" / "providers" / "fabric" / "testdata" / "workspace",
                  shared / "fabric-items" / "fabric-cicd" / "sample" / "workspace"]
    paths = set()
    for path in files(ROOT / "tests" / "providers" / "fabric", "json_path_test.cpp"):
        paths.update(p.replace('\\"', '"') for p in re.findall(r'select\("((?:[^"\\]|\\.)*)"', path.read_text()))
    documents = []
    for workspace in workspaces:
        # Small parts only: every input is applied to several parts, and make test's
        # fixed number of runs must stay within its time.
        parts = [p for p in files(workspace, "*") if p.stat().st_size < 4096 and
                 (p.suffix in (".py", ".json", ".pbir") or p.name in (".platform", ".schedules"))]
        documents += [p.read_bytes() for p in parts if p.suffix != ".py"]
        for parameter_file in files(workspace, "parameter*.yml"):
            text = parameter_file.read_bytes()
            for key in re.findall(r"find_key:[ \t]*(.*)", text.decode(errors="replace")):
                paths.add(key.strip().strip("'\""))
            write(out, "fabric_parameters", text)
            for part, other in zip(parts, parts[1:] + parts[:1]):
                write(out, "fabric_parameters", text + b"\0" + part.read_bytes() + b"\0" + other.read_bytes())
    for i, jsonpath in enumerate(sorted(paths)):
        write(out, "fabric_json_path", jsonpath)
        if documents:
            write(out, "fabric_json_path", jsonpath.encode() + b"\0" + documents[i % len(documents)])
    for document in documents:
        write(out, "fabric_json_path", b"$..*\0" + document)

    # GitHub API answers: GitHub's documented examples and recorded exchanges.
    examples = json.loads((ROOT / "tests" / "github" / "server" / "openapi_examples.json").read_text())
    for operation, body in examples.items():
        if operation.startswith("_"):
            continue
        method, path = operation.split(" ", 1)
        write(out, "github_api", api_seed(api_call(method, path, body), 200, {}, body))
    for path in files(shared / "github-api", "normalized-fixture.json"):
        for exchange in json.loads(path.read_text()):
            body = exchange.get("response", "")
            call = api_call(exchange.get("method", "GET").upper(), exchange.get("path", ""), body)
            write(out, "github_api", api_seed(call, exchange.get("status"), exchange.get("headers"), body))
    for path in files(shared / "github-api", "*.json"):
        if path.parent.name == "__files":
            write(out, "github_api", api_seed(api_call("GET", path.stem.replace("_", "/"), None), 200, {},
                                              path.read_text(errors="replace")))


if __name__ == "__main__":
    main()
