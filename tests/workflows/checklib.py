"""What the workflow checks share: one line per check, and YAML read as GitHub reads it."""
import yaml

failures = []


def check(ok, what):
    """Prints `ok`/`FAIL` and the check; a failure is remembered in `failures`."""
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
    return ok


def load(path):
    """A workflow or action file; the key `on` stays `on` (YAML 1.1 reads it as true)."""
    data = yaml.safe_load(path.read_text())
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)
    return data
