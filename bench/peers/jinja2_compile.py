#!/usr/bin/env python3
"""The peer of `converge compile` in make bench: python3-jinja2 and PyYAML doing the
same work in one process. Each template under SOURCES is rendered with the variables
of VARS, read as YAML and written as YAML (keys sorted) under OUT, one file each.

    jinja2_compile.py SOURCES VARS OUT
"""
import os
import shutil
import sys

import jinja2
import yaml


def main():
    sources, variables_file, out = sys.argv[1:4]
    with open(variables_file, encoding="utf-8") as f:
        variables = yaml.safe_load(f) or {}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(sources), undefined=jinja2.StrictUndefined)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for name in sorted(os.listdir(sources)):
        item = yaml.safe_load(env.get_template(name).render(**variables))
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            yaml.safe_dump(item, f, sort_keys=True, default_flow_style=False)


if __name__ == "__main__":
    main()
