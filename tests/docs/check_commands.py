#!/usr/bin/env python3
"""Every converge command the documentation shows is one a user can type.

Reads the fenced code blocks (``sh`` or no language) of README.md, docs/**/*.md and
examples/**/README.md; for each line that starts with ``converge`` or
``converge-<step>`` (``$ `` prompts, trailing ``# comments`` and ``\\`` continuations
handled) it checks that the step exists, that every ``--flag`` / ``-f`` is one the
built step declares (``converge-<step> --flags-json``, the same definition that parses
them), and that a file the command reads (a positional argument, ``--vars``,
``--config``) exists in examples/quickstart or the repository.

With ``--run DIR`` it also runs, as written, every such command that works on a
local repository (the steps in RUNNABLE, no placeholder in it) in DIR, a prepared
quickstart repository (``scripts/quickstart.sh --prepare``), in the order the files
show them: each must end with exit 0 or 1 (done, or drift/refused: what a gated
environment says locally), never a usage or configuration error (2), a runtime
failure (3) or a crash.

    check_commands.py REPO_ROOT [--run DIR]     (CONVERGE_BIN_DIR: the built steps)
Prints one line per command, exits 1 when one is wrong.
"""
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
BIN = Path(os.environ.get("CONVERGE_BIN_DIR", ROOT / "build/test/steps"))
STEPS = re.search(r"^set\(CONVERGE_STEPS ([^)]*)\)", (ROOT / "steps/CMakeLists.txt").read_text(), re.M).group(1).split()
RUNNABLE = {"plan", "apply", "drift-verify", "record-manifest", "describe", "compile", "render", "secret-names",
            "completion", "check-workflows"}  # the rest need GitHub (plan-comment, export-to-pr) or write the checkout (init, man)
FRONT_ONLY = {"completion": 1, "man": 1}  # `converge completion bash`, `converge man DIR`: one argument
READS = {"--vars", "--config", "-c"}  # flags whose value is a file the command reads
EXAMPLE = ROOT / "examples/quickstart"

_flags = {}


def flags_of(step):
    if step not in _flags:
        out = subprocess.run([str(BIN / f"converge-{step}"), "--flags-json"], capture_output=True, text=True, check=True)
        names = set()
        for f in json.loads(out.stdout)["flags"]:
            names.add("--" + f["long"])
            if f["short"]:
                names.add("-" + f["short"])
            names.add(("--" + f["long"], f["value"]))
        _flags[step] = names
    return _flags[step]


def commands(path):
    """(line number, command text) of every converge command in the file's code blocks."""
    fence, lang, pending, start = None, None, "", 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        m = re.match(r"^(`{3,}|~{3,})\s*([A-Za-z0-9_-]*)", stripped)
        if m and (fence is None or stripped.startswith(fence)):
            fence, lang = (m.group(1), m.group(2)) if fence is None else (None, None)
            continue
        if fence is None or lang not in ("", "sh", "bash", "shell", "console"):
            continue
        text = re.sub(r"^\$\s+", "", stripped)
        if pending:
            text, pending = pending + " " + text, ""
        elif not re.match(r"^converge(-[a-z-]+)?(\s|$)", text):
            continue
        else:
            start = number
        if text.endswith("\\"):
            pending = text[:-1]
            continue
        yield start, text


def problems(text):
    words = shlex.split(text, comments=True)
    if words[0] == "converge":
        if len(words) < 2 or words[1] in ("--help", "-h", "--version"):
            return []
        step, args = words[1], words[2:]
    else:
        step, args = words[0][len("converge-"):], words[1:]
    if step in FRONT_ONLY:
        return [] if len(args) == FRONT_ONLY[step] else [f"converge {step} takes {FRONT_ONLY[step]} argument"]
    if step not in STEPS:
        return [f"no step '{step}'"]
    known = flags_of(step)
    found, i = [], 0
    while i < len(args):
        word = args[i].strip("[]")
        i += 1
        if not word or word in ("...", "|"):
            continue
        if word.startswith("-"):
            name, _, value = word.partition("=")
            if name not in known:
                found.append(f"converge-{step} has no flag {name}")
                continue
            if not value and i < len(args) and not args[i].startswith("-") and takes_value(step, name):
                value = args[i].strip("[]")
                i += 1
            if name in READS and value:
                found += missing_file(value)
        else:
            found += missing_file(word)
    return found


def takes_value(step, name):
    known = flags_of(step)
    if name.startswith("--"):
        return (name, True) in known
    out = subprocess.run([str(BIN / f"converge-{step}"), "--flags-json"], capture_output=True, text=True, check=True)
    return any(f["short"] == name[1:] and f["value"] for f in json.loads(out.stdout)["flags"])


def missing_file(value):
    """A file argument that names nothing in the quickstart or the repository."""
    if re.search(r"[<>*]|^~|^\$|^-$|^[A-Z_]+$", value) or "/" not in value and "." not in value:
        return []  # a placeholder, a variable, stdout, a word
    if (EXAMPLE / value).exists() or (ROOT / value).exists():
        return []
    return [f"{value} exists neither in examples/quickstart nor in the repository"]


def runnable(text):
    """The words of a command to run as written (its optional [parts] left out), or None (a
    placeholder, or a step that needs GitHub)."""
    text = re.sub(r"\s*\[[^\]]*\]", "", text.split(" #")[0])
    if re.search(r"[<>\[\]|$…]|\.\.\.", text):
        return None
    words = shlex.split(text, comments=True)
    step = words[1] if words[0] == "converge" and len(words) > 1 else words[0][len("converge-"):]
    return words if step in RUNNABLE else None


def run(words, work):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", GITHUB_ACTIONS="false")
    try:
        done = subprocess.run(words, cwd=work, env=env, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "did not end within 120 s"
    if done.returncode in (0, 1):
        return None
    if words[1:2] == ["record-manifest"] and done.returncode == 2 and "no apply result" in done.stderr:
        return None  # it ran, and says the apply it records was refused before (a gated environment, locally)
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return f"exit {done.returncode}: " + " / ".join(tail)


def main():
    work = sys.argv[sys.argv.index("--run") + 1] if "--run" in sys.argv else None
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")), *sorted((ROOT / "examples").rglob("README.md"))]
    checked, ran, failures = 0, 0, 0
    for path in files:
        for number, text in commands(path):
            checked += 1
            where = f"{path.relative_to(ROOT)}:{number}"
            found = problems(text)
            words = runnable(text) if work and not found else None
            if work and not words and os.environ.get("CONVERGE_DOCS_VERBOSE"):
                print(f"skip {where}: {text}")
            if words:
                ran += 1
                if (why := run(words, work)):
                    found.append(f"run in the quickstart repository: {why}")
            for p in found:
                print(f"FAIL {where}: {text}\n     {p}")
            failures += len(found)
    print(f"documented commands: {checked} checked, {ran} run, {failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
