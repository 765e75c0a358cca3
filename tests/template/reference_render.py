#!/usr/bin/python3
"""Renders the template corpus with Python's Jinja2, the reference converge must match.

Usage: reference_render.py CORPUS_DIR [TEMPLATE_FILE ...]

Each CORPUS_DIR/*.json file holds a list of cases {"name", "template", "vars"}; each
is rendered with jinja2.Environment(undefined=StrictUndefined) ("strict") and with
jinja2.Environment() ("default"). Each TEMPLATE_FILE is rendered with empty
variables (strict). Each CORPUS_DIR/*.yaml file is loaded with yaml.safe_load and
its repr() reported. Prints one JSON object:
  {"cases": {name: {"strict": OUT, "default": OUT}}, "files": {path: OUT},
   "yaml": {path: REPR}}
where OUT is the rendered text or {"error": "<exception type>: <message>"}.
"""
import glob
import json
import os
import sys

import jinja2
import yaml


def render(env, source, variables):
    try:
        return env.from_string(source).render(**variables)
    except Exception as e:  # noqa: BLE001 - any failure is "Jinja2 errors here"
        return {"error": f"{type(e).__name__}: {e}"}


def main():
    corpus = sys.argv[1]
    strict = jinja2.Environment(undefined=jinja2.StrictUndefined)
    default = jinja2.Environment()
    out = {"cases": {}, "files": {}, "yaml": {}, "jinja2": jinja2.__version__}
    for path in sorted(glob.glob(os.path.join(corpus, "*.json"))):
        with open(path, encoding="utf-8") as f:
            for case in json.load(f):
                name = case["name"]
                if name in out["cases"]:
                    raise SystemExit(f"duplicate case name {name}")
                variables = case.get("vars", {})
                out["cases"][name] = {
                    "strict": render(strict, case["template"], variables),
                    "default": render(default, case["template"], variables),
                }
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            out["files"][path] = render(strict, f.read().decode("utf-8"), {})
    for path in sorted(glob.glob(os.path.join(corpus, "*.yaml"))):
        with open(path, encoding="utf-8") as f:
            out["yaml"][path] = repr(yaml.safe_load(f))
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
