#!/usr/bin/env python3
# What fabric-cicd's publish makes of every text file of a workspace folder for one
# environment (its _replace_logical_ids, _replace_parameters, _replace_workspace_ids,
# in that order, as fabric_workspace.py calls them), with the runtime values left
# symbolic: where fabric-cicd puts a deployed id or the workspace id, this writes
# converge's marker (⟦$items.Lakehouse.L.id⟧, ⟦$workspace.id⟧). Rewritten from
# fabric-cicd's rules (its _parameter/_utils.py): file filters through pathlib on the
# real folder, re.sub with the one group replaced, jsonpath_ng.ext and json.dumps.
#
# Prints one line per environment: the SHA-256 of every file's path and bytes (sorted
# by path, each as "<path>\0<bytes>\0"), which
# parameters_test.cpp (MatchesFabricCicdsRulesOnEveryFileOfTheSample) compares with
# what converge computes; --files prints each file's own digest, to find a difference.
#
#   python3 fabric_cicd_reference.py WORKSPACE_DIR ENV... [--files]
# Needs PyYAML and jsonpath-ng (not part of converge's build; run by hand).
import glob
import hashlib
import json
import re
import sys
from pathlib import Path

import yaml
from jsonpath_ng.ext import parse

OPEN, CLOSE = "\u27e6", "\u27e7"
DEFAULT_GUID = "00000000-0000-0000-0000-000000000000"
WORKSPACE_ID_REFERENCE_REGEX = r"\"?(default_lakehouse_workspace_id|workspaceId|workspace)\"?\s*[:=]\s*\"(.*?)\""


def marker(value):
    return OPEN + value + CLOSE


def dynamic(value):
    # extract_replace_value, with the looked-up value replaced by its marker.
    if not value.startswith("$"):
        return value
    if value in ("$workspace.id", "$workspace.$id"):
        return marker("$workspace.id")
    if value in ("$workspace.$name", "$workspace.$name_encoded"):
        return marker(value.replace("$name", "name"))
    rest = value.removeprefix("$items.")
    if ".$" in rest:
        name_part, attr = rest.rsplit(".$", 1)
        t, n = name_part[: name_part.rfind(".")], name_part[name_part.rfind(".") + 1 :]
    else:
        t, tail = rest.split(".", 1)
        n, attr = tail[: tail.rfind(".")], tail[tail.rfind(".") + 1 :]
    return marker(f"$items.{t.strip()}.{n.strip()}.{attr.strip().lower()}")


def input_paths(repo, value):
    if not value:
        return None
    out = set()
    for path in [value] if isinstance(value, str) else value:
        if glob.has_magic(path):
            pattern = path.replace("\\", "/")
            if Path(pattern).is_absolute():
                try:
                    pattern = str(Path(pattern).relative_to(repo))
                except ValueError:
                    continue
            out.update(p for p in repo.glob(pattern) if p.is_file())
        else:
            p = (repo / Path(path.lstrip("/\\"))).resolve()
            if p.is_file():
                out.add(p)
    return list(out)


def matches(value, compare):
    if value is None:
        return True
    if isinstance(value, list):
        return any(compare == v for v in value)
    return compare == value


def env_values(env, rv):
    if len(rv) == 1 and next(iter(rv)).lower() == "_all_":
        return {env: next(iter(rv.values()))}
    return rv


def main():
    repo = Path(sys.argv[1]).resolve()
    envs = [a for a in sys.argv[2:] if not a.startswith("--")]
    params = yaml.full_load((repo / "parameter.yml").read_text())
    # Every folder with a .platform is an item (os.walk, as _refresh_repository_items),
    # nested ones (an Eventhouse's .children/<Name>.KQLDatabase) included; the files
    # are the outermost item's (converge's Item keeps .children inside its parent).
    items = []
    for platform in sorted(repo.rglob(".platform")):
        meta = json.loads(platform.read_text())
        items.append((platform.parent, meta["metadata"]["type"], meta["metadata"]["displayName"],
                      meta.get("config", {}).get("logicalId", "")))
    outermost = [i for i in items if not any(o[0] != i[0] and o[0] in i[0].parents for o in items)]
    for env in envs:
        files = []
        for item_dir, item_type, item_name, _ in outermost:
            for f in sorted(p for p in item_dir.rglob("*") if p.is_file() and p != item_dir / ".platform"):
                try:
                    raw = f.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    raw = None
                if raw is not None and not str(f).endswith(".platform"):
                    if item_type != "VariableLibrary":
                        for _, t, n, lid in items:
                            if lid and lid != DEFAULT_GUID and lid in raw:
                                raw = raw.replace(lid, marker(f"$items.{t}.{n}.id"))
                    for p in params.get("key_value_replace") or []:
                        t, n, fp = p.get("item_type"), p.get("item_name"), input_paths(repo, p.get("file_path"))
                        if t is None and n is None and fp is None or (matches(t, item_type) and matches(n, item_name) and matches(fp, f.resolve())):
                            try:
                                data = json.loads(raw)
                            except json.JSONDecodeError:
                                continue
                            rv = env_values(env, p["replace_value"])
                            for m in parse(p["find_key"]).find(data):
                                if env in rv:
                                    v = rv[env]
                                    m.full_path.update(data, dynamic(v) if isinstance(v, str) else v)
                            # json.dumps escapes the brackets of a marker; fabric-cicd's value there
                            # is an ASCII id or URL, left as is, and converge keeps the marker as is.
                            raw = json.dumps(data).replace("\\u27e6", OPEN).replace("\\u27e7", CLOSE)
                    for p in params.get("find_replace") or []:
                        t, n, fp = p.get("item_type"), p.get("item_name"), input_paths(repo, p.get("file_path"))
                        ok = t is None and n is None and fp is None or (matches(t, item_type) and matches(n, item_name) and matches(fp, f.resolve()))
                        rv = env_values(env, p.get("replace_value", {}))
                        if not ok or env not in rv:
                            continue
                        value = dynamic(rv[env])
                        if not value:
                            continue
                        flags = re.IGNORECASE if str(p.get("ignore_case", "")).lower() == "true" else 0
                        if str(p.get("is_regex", "")).lower() == "true":
                            raw = re.sub(p["find_value"], lambda m: m.group(0)[: m.start(1) - m.start(0)] + value + m.group(0)[m.end(1) - m.start(0) :], raw, flags=flags)
                        elif flags:
                            raw = re.sub(re.escape(p["find_value"]), lambda _m: value, raw, flags=flags)
                        else:
                            raw = raw.replace(p["find_value"], value)
                    if item_type != "VariableLibrary":
                        raw = re.sub(WORKSPACE_ID_REFERENCE_REGEX,
                                     lambda m: m.group(0).replace(DEFAULT_GUID, marker("$workspace.id")) if m.group(2) == DEFAULT_GUID else m.group(0), raw)
                data = raw.encode("utf-8") if raw is not None else f.read_bytes()
                files.append((f.relative_to(repo).as_posix(), data))
        digest = hashlib.sha256()
        for rel, data in sorted(files):
            digest.update(rel.encode() + b"\0" + data + b"\0")
            if "--files" in sys.argv:
                print(env, hashlib.sha256(data).hexdigest(), rel)
        print(env, digest.hexdigest())


main()
