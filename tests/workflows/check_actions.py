#!/usr/bin/env python3
"""Proves the actions and workflows agree with the steps they run.

    check_actions.py REPO_ROOT        (CONVERGE_BIN_DIR: the built converge-<step>)

- every step in steps/CMakeLists.txt has actions/<step>/action.yml (or is listed in
  NO_ACTION with the reason), whose inputs are exactly the step's long flags from
  `converge-<step> --help` plus `token`; boolean flags say "true"; flags the help
  marks "(required)" are required inputs; outputs are exactly the outputs
  docs/steps/<step>.md documents (plus failure-reason, which every step sets);
- the root action.yml takes `step`, `token` and the union of every step's flags, and
  declares the union of the documented outputs;
- every action runs the image of this release (CMakeLists.txt project version), and
  the reusable workflows use the actions of this release;
- the reusable workflows: `with:` of every converge action is a subset of its inputs
  with the required ones given; no `${{ }}` inside any `run:` script (untrusted text
  goes through env:); every job has permissions, every converge job an environment
  and a concurrency group, and every job that applies shares `converge-apply-<env>`
  without cancelling;
- the starter workflows: they call the reusable workflows by tag, their `with:` and
  `secrets:` match the declared inputs and secrets (names, required, types), and the
  permissions they grant cover what the called jobs ask for.
Prints one line per check; exits 1 if any fails.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
BIN = Path(os.environ.get("CONVERGE_BIN_DIR", ROOT / "build/test/steps"))
# The repository publishing the actions (CMakeLists.txt, set(CONVERGE_REPOSITORY …)).
SELF = re.search(r'^set\(CONVERGE_REPOSITORY "([^"]+)"\)', (ROOT / "CMakeLists.txt").read_text(), re.M).group(1)
NO_ACTION = {
    "compile": "its outputs are named per target (bundle-hash-<target>), which action.yml cannot declare; run it through the root action",
    "render": "a local tool for debugging templates",
    "init": "sets a repository up from a developer's checkout (it writes converge.yaml and the workflows)",
    "check-workflows": "a check a pull request runs through the root action, like compile",
}
HELPER_ACTIONS = {"secrets-to-env": "composite helper of the reusable workflows, not a step"}
COMMON_OUTPUT = "failure-reason"

from checklib import check, failures, load  # noqa: E402  (this directory is on sys.path)


def version():
    m = re.search(r"^project\(converge VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text(), re.M)
    return m.group(1)


def steps():
    m = re.search(r"^set\(CONVERGE_STEPS ([^)]*)\)", (ROOT / "steps/CMakeLists.txt").read_text(), re.M)
    return m.group(1).split()


def flags_of(step):
    """{long flag: {"boolean": bool, "required": bool}} from `converge-<step> --help`."""
    exe = BIN / f"converge-{step}"
    if not check(exe.exists(), f"converge-{step} is built in {BIN}"):
        return None
    text = subprocess.run([exe, "--help"], capture_output=True, text=True, check=True).stdout
    flags, last = {}, None
    for line in text.splitlines():
        m = re.match(r"^\s+(?:-\w, )?--([a-z0-9-]+)( arg)?\s+(.*)$", line)
        if m:
            last = m.group(1)
            flags[last] = {"boolean": m.group(2) is None, "text": m.group(3)}
        elif last and line.startswith("    ") and line.strip():
            flags[last]["text"] += " " + line.strip()
        elif not line.strip():
            last = None
    for name in ("help", "version"):
        flags.pop(name, None)
    # Positional arguments (`converge-render [OPTION...] TEMPLATE`) are flags too, so
    # an input of that name fills them.
    usage = re.search(rf"^\s+converge-{re.escape(step)} \[OPTION\.\.\.\]((?: [A-Z][A-Z0-9_-]*)*)\s*$", text, re.M)
    for name in (usage.group(1).split() if usage else []):
        flags[name.lower()] = {"boolean": False, "text": "(required)"}
    for f in flags.values():
        f["required"] = "(required)" in f.pop("text")
    return flags


def documented_outputs(step):
    doc = ROOT / "docs/steps" / f"{step}.md"
    if not check(doc.exists(), f"docs/steps/{step}.md exists"):
        return set()
    text = doc.read_text()
    outputs = set()
    m = re.search(r"^Outputs:(.*?)(?:\n\s*\n|\Z)", text, re.M | re.S)
    if m:
        para = re.sub(r"\([^)]*\)", "", m.group(1).replace("\n", " "))
        outputs |= set(re.findall(r"`([a-z][a-z0-9-]*)`", para))
    m = re.search(r"^\| output \| value \|\n\|[-| ]+\|\n((?:\|.*\n?)*)", text, re.M)
    if m:
        outputs |= set(re.findall(r"^\| `([a-z][a-z0-9-]*)` \|", m.group(1), re.M))
    if not outputs:
        print(f"note docs/steps/{step}.md documents no outputs: only {COMMON_OUTPUT}, which every step sets")
    return outputs | {COMMON_OUTPUT}


def check_action(name, action, flags, outputs, image):
    where = f"actions/{name}/action.yml"
    inputs = action.get("inputs") or {}
    check(set(inputs) == set(flags) | {"token"},
          f"{where}: inputs are the flags of converge-{name} + token"
          f" (missing {sorted(set(flags) - set(inputs))}, extra {sorted(set(inputs) - set(flags) - {'token'})})")
    for flag, info in flags.items():
        spec = inputs.get(flag) or {}
        if info["boolean"]:
            check('"true"' in spec.get("description", ""), f"{where}: boolean input {flag} says it takes \"true\"")
        check(bool(spec.get("required", False)) == info["required"],
              f"{where}: input {flag} is required exactly when --{flag} is (required: {info['required']})")
        check("default" not in spec, f"{where}: input {flag} has no default (the step owns its defaults)")
    check((inputs.get("token") or {}).get("default") == "${{ github.token }}", f"{where}: token defaults to github.token")
    declared = set(action.get("outputs") or {})
    check(declared == outputs,
          f"{where}: outputs are the documented ones (missing {sorted(outputs - declared)}, extra {sorted(declared - outputs)})")
    runs = action.get("runs") or {}
    check(runs.get("using") == "docker" and runs.get("image") == image,
          f"{where}: runs the release image {image}")
    check(runs.get("entrypoint") == f"/usr/local/bin/converge-{name}" and "args" not in runs,
          f"{where}: entrypoint converge-{name}, no args (inputs fill the flags)")


def main():
    ver = version()
    image = f"docker://ghcr.io/{SELF.lower()}:{ver}"
    all_steps = steps()
    action_dirs = sorted(p.name for p in (ROOT / "actions").iterdir() if (p / "action.yml").exists())
    all_flags, all_outputs, actions = {}, set(), {}

    for step in all_steps:
        if step in NO_ACTION:
            print(f"note converge-{step} has no action: {NO_ACTION[step]}")
            flags = flags_of(step)
            all_flags.update(flags or {})
            continue
        if not check(step in action_dirs, f"actions/{step}/action.yml exists"):
            continue
        flags = flags_of(step)
        outputs = documented_outputs(step)
        all_outputs |= outputs
        actions[step] = load(ROOT / "actions" / step / "action.yml")
        if flags is not None:
            all_flags.update(flags)
            check_action(step, actions[step], flags, outputs, image)
    for name in action_dirs:
        if name not in all_steps:
            check(name in HELPER_ACTIONS, f"actions/{name} is a step's action or a known helper")
            actions[name] = load(ROOT / "actions" / name / "action.yml")

    rootaction = load(ROOT / "action.yml")
    inputs = set(rootaction.get("inputs") or {})
    want = set(all_flags) | {"step", "token"}
    check(inputs == want, f"action.yml: inputs are step, token and every step's flags"
          f" (missing {sorted(want - inputs)}, extra {sorted(inputs - want)})")
    described = rootaction["inputs"]["step"].get("description", "")
    check(all(re.search(rf"\b{re.escape(s)}\b", described) for s in all_steps), "action.yml: input step lists every step")
    declared = set(rootaction.get("outputs") or {})
    check(declared == all_outputs, f"action.yml: outputs are every documented output"
          f" (missing {sorted(all_outputs - declared)}, extra {sorted(declared - all_outputs)})")
    runs = rootaction.get("runs") or {}
    check(runs.get("image") == image and runs.get("entrypoint") == "/usr/local/bin/converge"
          and runs.get("args") == ["${{ inputs.step }}"], "action.yml: runs `converge <step>` on the release image")

    # Scripts never interpolate expressions (composite helper actions included).
    for name, action in actions.items():
        for s in (action.get("runs") or {}).get("steps") or []:
            check("${{" not in s.get("run", ""), f"actions/{name}: no ${{{{ }}}} in run: scripts")

    reusable = {}
    for path in sorted((ROOT / ".github/workflows").glob("*.yml")):
        wf = load(path)
        rel = path.relative_to(ROOT)
        call = (wf.get("on") or {}).get("workflow_call")
        check(call is not None, f"{rel}: is a reusable workflow (on: workflow_call)")
        reusable[path.name] = wf
        check(wf.get("permissions") == {}, f"{rel}: top-level permissions: {{}} (each job asks for its own)")
        for spec in ((call or {}).get("inputs") or {}).values():
            check(bool(spec.get("description")) and spec.get("type") in ("string", "boolean", "number"),
                  f"{rel}: every input is typed and described")
        for job_id, job in (wf.get("jobs") or {}).items():
            where = f"{rel} job {job_id}"
            check("permissions" in job, f"{where}: declares its permissions")
            converge_steps = [s for s in job.get("steps") or [] if str(s.get("uses", "")).startswith(f"{SELF}/actions/")]
            for s in job.get("steps") or []:
                check("${{" not in s.get("run", ""), f"{where}: no ${{{{ }}}} in run: scripts ({s.get('name', s.get('id', 'step'))})")
                uses = str(s.get("uses", ""))
                if uses.startswith(f"{SELF}/actions/"):
                    m = re.fullmatch(rf"{SELF}/actions/([a-z-]+)@(.+)", uses)
                    check(m is not None and m.group(2) == f"v{ver}", f"{where}: {uses} is pinned to this release v{ver}")
                    action = actions.get(m.group(1)) if m else None
                    if check(action is not None, f"{where}: {uses} is an action of this repository"):
                        ins = action.get("inputs") or {}
                        given = set(s.get("with") or {})
                        check(given <= set(ins), f"{where}: with: of {m.group(1)} names only its inputs ({sorted(given - set(ins))})")
                        need = {k for k, v in ins.items() if v.get("required")}
                        check(need <= given, f"{where}: with: of {m.group(1)} gives its required inputs ({sorted(need - given)})")
            if not converge_steps:
                continue
            check("environment" in job, f"{where}: runs in a GitHub environment")
            conc = job.get("concurrency") or {}
            check(bool(conc.get("group")), f"{where}: has a concurrency group")
            applies = any(re.search(r"/actions/apply@", s["uses"]) or
                          (re.search(r"/actions/drift-verify@", s["uses"]) and "apply" in (s.get("with") or {}))
                          for s in converge_steps)
            if applies:
                check("converge-apply" in str(conc.get("group")) and conc.get("cancel-in-progress") is False,
                      f"{where}: applies in the shared converge-apply-<env> group, never cancelled")

    rank = {"none": 0, "read": 1, "write": 2}
    for path in sorted((ROOT / "workflows").glob("*.yml")):
        wf = load(path)
        rel = path.relative_to(ROOT)
        check(wf.get("permissions") == {}, f"{rel}: top-level permissions: {{}}")
        for job_id, job in (wf.get("jobs") or {}).items():
            where = f"{rel} job {job_id}"
            m = re.fullmatch(rf"{SELF}/\.github/workflows/([a-z-]+\.yml)@(v\d+)", str(job.get("uses", "")))
            if not check(m is not None and m.group(2) == f"v{ver.split('.')[0]}" and m.group(1) in reusable,
                         f"{where}: calls a reusable workflow of this repository by its major tag"):
                continue
            called = reusable[m.group(1)]
            call = called["on"]["workflow_call"]
            declared = call.get("inputs") or {}
            given = job.get("with") or {}
            check(set(given) <= set(declared), f"{where}: with: names only declared inputs ({sorted(set(given) - set(declared))})")
            need = {k for k, v in declared.items() if v.get("required")}
            check(need <= set(given), f"{where}: gives the required inputs ({sorted(need - set(given))})")
            for k, v in given.items():
                t = (declared.get(k) or {}).get("type")
                ok = (isinstance(v, str) and v.strip().startswith("${{")) or \
                     (t == "boolean" and isinstance(v, bool)) or (t == "number" and isinstance(v, (int, float))) or \
                     (t == "string" and isinstance(v, str))
                check(ok, f"{where}: input {k} has the declared type {t}")
            secrets = job.get("secrets")
            if secrets != "inherit":
                declared_secrets = call.get("secrets") or {}
                check(set(secrets or {}) <= set(declared_secrets), f"{where}: secrets: names only declared secrets")
            granted = job.get("permissions") or {}
            for called_id, called_job in called["jobs"].items():
                for scope, level in (called_job.get("permissions") or {}).items():
                    check(rank[granted.get(scope, "none")] >= rank[level],
                          f"{where}: grants {scope}: {level} that {m.group(1)} job {called_id} asks for")

    print(f"{len(failures)} failure(s)" if failures else "every action and workflow agrees with the steps")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
