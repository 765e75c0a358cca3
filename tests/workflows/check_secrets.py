#!/usr/bin/env python3
"""Proves the workflows hand the code they run only the secrets it is allowed.

    check_secrets.py REPO_ROOT

- every job of every reusable workflow (.github/workflows/) that exposes secrets does
  it through actions/secrets-to-env with `names` = the output of an earlier
  actions/secret-names step of the same job (the trusted converge.yaml's list), and
  the whole secrets context appears nowhere else;
- actions/secrets-to-env requires `names` and never falls back to every key;
- the pull request plan workflow declares no secrets, asks for no write permission
  but pull-requests (the comment) and statuses (converge's plan record), and the
  starter workflow that calls it passes no secrets (no `secrets: inherit`) and grants
  no contents: write.
Each check is also run on a broken copy of the file it checks, and must fail there
(a check that cannot fail proves nothing). Prints one line per check; exits 1 if any
fails.
"""
import copy
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
# The repository publishing the actions (CMakeLists.txt, set(CONVERGE_REPOSITORY …)).
SELF = re.search(r'^set\(CONVERGE_REPOSITORY "([^"]+)"\)', (ROOT / "CMakeLists.txt").read_text(), re.M).group(1)
PLAN_WORKFLOW = "converge-plan.yml"
PLAN_WRITES = {"pull-requests", "statuses"}

from checklib import check, failures, load  # noqa: E402  (this directory is on sys.path)


def uses(step, action):
    return str(step.get("uses", "")).startswith(f"{SELF}/actions/{action}@")


def secrets_problems(workflow):
    """Problems with how the jobs of a reusable workflow expose secrets."""
    problems = []
    for job_name, job in (workflow.get("jobs") or {}).items():
        names_steps = set()
        for step in job.get("steps") or []:
            if uses(step, "secret-names") and step.get("id"):
                names_steps.add(step["id"])
            text = yaml.safe_dump(step)
            if uses(step, "secrets-to-env"):
                names = str((step.get("with") or {}).get("names", ""))
                m = re.fullmatch(r"\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.names\s*\}\}", names.strip())
                if not m or m.group(1) not in names_steps:
                    problems.append(f"job {job_name}: secrets-to-env names {names!r} are not an earlier "
                                    "secret-names step's output")
                rest = {k: v for k, v in (step.get("with") or {}).items() if k != "secrets"}
                if "toJSON(secrets)" in yaml.safe_dump(rest):
                    problems.append(f"job {job_name}: the secrets context goes elsewhere than `secrets:`")
            elif re.search(r"toJSON\(\s*secrets\s*\)", text):
                problems.append(f"job {job_name}: step {step.get('name', step.get('uses'))} gets every secret")
    return problems


def plan_problems(workflow):
    """Problems with the pull request plan workflow: declared secrets, write permissions."""
    problems = []
    call = (workflow.get("on") or {}).get("workflow_call") or {}
    if call.get("secrets"):
        problems.append(f"declares secrets {sorted(call['secrets'])}")
    for job_name, job in (workflow.get("jobs") or {}).items():
        perms = job.get("permissions") or {}
        if isinstance(perms, str):
            problems.append(f"job {job_name}: permissions {perms!r}")
            continue
        for scope, level in perms.items():
            if level == "write" and scope not in PLAN_WRITES:
                problems.append(f"job {job_name}: {scope}: write")
    return problems


def caller_problems(workflow):
    """Problems with a starter workflow's jobs that call the plan workflow."""
    problems = []
    for job_name, job in (workflow.get("jobs") or {}).items():
        if not str(job.get("uses", "")).endswith(f"/{PLAN_WORKFLOW}@v0") and PLAN_WORKFLOW not in str(job.get("uses", "")):
            continue
        if job.get("secrets"):
            problems.append(f"job {job_name}: passes secrets ({job['secrets']!r})")
        perms = job.get("permissions") or {}
        if isinstance(perms, str) or perms.get("contents") == "write":
            problems.append(f"job {job_name}: grants contents: write")
    return problems


def secrets_to_env_problems(action):
    problems = []
    names = (action.get("inputs") or {}).get("names") or {}
    if names.get("required") is not True:
        problems.append("input `names` is not required")
    script = "\n".join(s.get("run", "") for s in (action.get("runs") or {}).get("steps") or [])
    if "keys[]" in script:
        problems.append("the script can fall back to every key (jq keys[])")
    return problems


def must_fail(problems_of, broken, what):
    check(bool(problems_of(broken)), f"self-test: the check fails on {what}")


def main():
    reusable = sorted((ROOT / ".github/workflows").glob("*.yml"))
    check(len(reusable) >= 5, f"{len(reusable)} reusable workflows found")
    for path in reusable:
        wf = load(path)
        p = secrets_problems(wf)
        check(not p, f".github/workflows/{path.name}: only the trusted secret names are exposed" +
              (": " + "; ".join(p) if p else ""))
        if path.name == PLAN_WORKFLOW:
            p = plan_problems(wf)
            check(not p, f".github/workflows/{path.name}: no secrets declared, no write token" +
                  (": " + "; ".join(p) if p else ""))
            # Self-tests on broken copies.
            job = next(j for j in wf["jobs"].values() if any(uses(s, "secrets-to-env") for s in j.get("steps") or []))
            broken = copy.deepcopy(wf)
            bjob = next(j for j in broken["jobs"].values() if j.get("steps") == job.get("steps"))
            for s in bjob["steps"]:
                if uses(s, "secrets-to-env"):
                    s["with"]["names"] = "${{ inputs.secret-names }}"
            must_fail(secrets_problems, broken, "names from an input")
            broken = copy.deepcopy(wf)
            bjob = next(j for j in broken["jobs"].values() if j.get("steps") == job.get("steps"))
            bjob["steps"].append({"run": "echo", "env": {"ALL": "${{ toJSON(secrets) }}"}})
            must_fail(secrets_problems, broken, "a step given every secret")
            broken = copy.deepcopy(wf)
            next(iter(broken["jobs"].values()))["permissions"] = {"contents": "write"}
            must_fail(plan_problems, broken, "contents: write")
            broken = copy.deepcopy(wf)
            broken["on"]["workflow_call"]["secrets"] = {"token": {"required": False}}
            must_fail(plan_problems, broken, "a declared token secret")
    callers = sorted((ROOT / "workflows").glob("*.yml"))
    found = False
    for path in callers:
        wf = load(path)
        if PLAN_WORKFLOW not in path.read_text():
            continue
        found = True
        p = caller_problems(wf)
        check(not p, f"workflows/{path.name}: the plan job gets no secrets and no write token" +
              (": " + "; ".join(p) if p else ""))
        broken = copy.deepcopy(wf)
        next(iter(broken["jobs"].values()))["secrets"] = "inherit"
        must_fail(caller_problems, broken, "secrets: inherit")
    check(found, "a starter workflow calls the plan workflow")
    action = load(ROOT / "actions/secrets-to-env/action.yml")
    p = secrets_to_env_problems(action)
    check(not p, "actions/secrets-to-env: exposes only the names it is given" + (": " + "; ".join(p) if p else ""))
    broken = copy.deepcopy(action)
    broken["inputs"]["names"]["required"] = False
    must_fail(secrets_to_env_problems, broken, "optional names")
    broken = copy.deepcopy(action)
    broken["runs"]["steps"][0]["run"] += "\nmapfile -t wanted < <(jq -r 'keys[]' <<<\"$merged\")\n"
    must_fail(secrets_to_env_problems, broken, "a fallback to every key")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
