"""Shared helpers for the engine, CLI and property tests.

- `REPO`, `SEEDS`, `SEED_PAGE`: the repository root and the bundled sample pages.
- `run_cli(*args, stdin=..., ...)`: run the real `python -m cleaner` in a subprocess and
  return `(exit code, stdout bytes, stderr text)`.
- `rule_toml(...)`: one `[[rule]]` table as TOML text, with every required key filled in.
- `rules_file` fixture: writes rule text to a file in `tmp_path` and returns its path.
- `ruleset(...)`: load a RuleSet from rule TOML text without the built-in rules.

Tests never read ../shared: only fixtures/ and files made in tmp_path.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "fixtures" / "seeds"
SEED_PAGE = SEEDS / "000_096e1c0bc3ef6c87.txt"
SEED_PAGES = sorted(SEEDS.glob("*.txt"))

if str(REPO) not in sys.path:  # the tests import `cleaner` from this checkout when not installed
    sys.path.insert(0, str(REPO))


# The command keeps an on-disk cache of parsed rules; the tests give it a folder of their own
# (shared by the session, so it is warm after the first run) instead of the user's ~/.cache.
_CACHE_HOME = tempfile.TemporaryDirectory(prefix="scrapeclean-test-cache-")
# This process's own cleaning (the in-process tests) uses it too: the fast engine's database
# of the built-in rules (~11 s to build) is then built once a session, not once here and once
# more by the CLI tests, and a test run leaves the user's cache alone.
os.environ["XDG_CACHE_HOME"] = _CACHE_HOME.name


def cli_env(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = _CACHE_HOME.name
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONWARNINGS", None)
    env["PYTHONIOENCODING"] = "utf-8"
    if extra:
        env.update(extra)
    return env


def cli_command(*args: str | os.PathLike) -> list[str]:
    """A run that brings its own rules (--no-builtin) tests the rules: the heuristic stage,
    which has tests of its own, is turned off for it."""
    args = tuple(map(str, args))
    if "--no-builtin" in args and "--no-heuristics" not in args and args[:1] not in (("rules",), ("batch",), ("learn",)):
        args = args[:1] + ("--no-heuristics",) + args[1:] if args[:1] == ("clean",) else ("--no-heuristics",) + args
    return [sys.executable, "-m", "cleaner", *args]


def run_cli(
    *args: str | os.PathLike,
    stdin: bytes | str | None = None,
    stdin_file: os.PathLike | None = None,
    stdout_file: os.PathLike | None = None,
    cwd: os.PathLike | None = None,
    timeout: float = 60,
) -> tuple[int, bytes, str]:
    """Run `python -m cleaner ARGS...`; -> (exit code, stdout bytes, stderr text).

    `stdin`: bytes/str fed through a pipe (default: empty input, never the terminal);
    `stdin_file`: a file opened as stdin (seekable, like `< file`);
    `stdout_file`: a path stdout is redirected to (e.g. /dev/full)."""
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    in_handle = open(stdin_file, "rb") if stdin_file is not None else None
    out_handle = open(stdout_file, "wb") if stdout_file is not None else None
    try:
        proc = subprocess.run(
            cli_command(*args),
            input=stdin if in_handle is None else None,
            stdin=in_handle if in_handle is not None else (None if stdin is not None else subprocess.DEVNULL),
            stdout=out_handle if out_handle is not None else subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd or REPO,
            env=cli_env(),
            timeout=timeout,
        )
    finally:
        for h in (in_handle, out_handle):
            if h is not None:
                h.close()
    return proc.returncode, proc.stdout or b"", proc.stderr.decode("utf-8", "replace")


def run_cli_many(*calls: tuple | dict, workers: int | None = None) -> list[tuple[int, bytes, str]]:
    """Several `run_cli` calls at once (each a tuple of args, or a dict of run_cli keywords with
    the args under "args"); -> their results in order. Process start-up dominates a CLI test,
    so this keeps the suite fast on a few cores."""
    from concurrent.futures import ThreadPoolExecutor

    def one(call):
        if isinstance(call, dict):
            call = dict(call)
            return run_cli(*call.pop("args"), **call)
        return run_cli(*call)

    with ThreadPoolExecutor(max_workers=workers or max(2, min(4, os.cpu_count() or 2))) as pool:
        return list(pool.map(one, calls))


def assert_no_traceback(stderr: str) -> None:
    if "Traceback" in stderr or 'File "' in stderr:
        tail = "\n".join(stderr.strip().splitlines()[-3:])
        pytest.fail(f"traceback on stderr, ending:\n{tail}")


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def rule_toml(rule_id: str, action: str, *, omit: Iterable[str] = (), **keys) -> str:
    """One `[[rule]]` table. Required keys get harmless defaults (`removes`/`keeps` default to
    examples that do not exercise anything: pass real ones where `rules test` is involved).
    Keys named in `omit` are left out; `cases=[(input, output), ...]` become [[rule.cases]]."""
    table = {
        "id": rule_id,
        "action": action,
        "summary": f"Test rule {rule_id}.",
        "why": "Made up for a test.",
        "risk": "None worth noting in a test page.",
    }
    cases = keys.pop("cases", ())
    table.update(keys)
    table.setdefault("removes", ["x"])
    table.setdefault("keeps", ["y"])
    lines = ["[[rule]]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items() if k not in omit]
    for inp, out in cases:
        lines += ["", "[[rule.cases]]", f"input = {_toml_value(inp)}", f"output = {_toml_value(out)}"]
    return "\n".join(lines) + "\n\n"


def site_toml(domain: str, fingerprints: list[str], min_fingerprints: int = 1) -> str:
    return (f"[site]\ndomain = {_toml_value(domain)}\nfingerprints = {_toml_value(fingerprints)}\n"
            f"min_fingerprints = {min_fingerprints}\n\n")


def ruleset(*tomls: str, select: Iterable[str] = (), ignore: Iterable[str] = ()):
    """A RuleSet from rule file texts (one file each), built-in rules left out."""
    from cleaner import load_rules

    with tempfile.TemporaryDirectory() as d:
        paths = []
        for i, text in enumerate(tomls):
            p = Path(d) / f"r{i}.toml"
            p.write_text(text, encoding="utf-8")
            paths.append(p)
        return load_rules(paths, builtin=False, select=select, ignore=ignore)


@pytest.fixture
def rules_file(tmp_path):
    """`rules_file(text, name="rules.toml")` -> path of a rule file written in tmp_path."""

    def write(text: str, name: str = "rules.toml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


def prose(seed: str = "The minister said", n: int = 220, end: str = ".") -> str:
    """A line that reads as a prose paragraph (>= 200 characters, ending in punctuation)."""
    words = (seed + " that the talks would go on through the night and that both sides had agreed on"
             " a text, which would be published in the morning after a last reading by the lawyers")
    text = words
    while len(text) < n:
        text += " " + words
    return text[:n].rstrip() + end


# --- rules only ----------------------------------------------------------------------------
# The engine tests test the rules; the heuristic stage (on by default) has tests of its own.
# These wrappers run the pipeline with `heuristics=False` unless a test passes its own Options.

import cleaner as _cleaner  # noqa: E402


def rules_only(options: "_cleaner.Options | None" = None) -> "_cleaner.Options":
    return (options or _cleaner.Options())._replace(heuristics=False)


def clean_text(text, rules=None, options=None, *args, **kwargs):
    return _cleaner.clean_text(text, rules, rules_only(options), *args, **kwargs)


def clean_chunks(chunks, rules=None, options=None, *args, **kwargs):
    return _cleaner.clean_chunks(chunks, rules, rules_only(options), *args, **kwargs)


def clean_lines(lines, rules=None, options=None, *args, **kwargs):
    return _cleaner.clean_lines(lines, rules, rules_only(options), *args, **kwargs)


def clean_binary(src, dst, rules=None, options=None, *args, **kwargs):
    return _cleaner.clean_binary(src, dst, rules, rules_only(options), *args, **kwargs)


def dropped_lines(pattern: str, lines: list[str]) -> set[str]:
    """The lines a one-pattern drop-line rule removes, each line a paragraph of its own: for
    comparing the engine, with its dispatch and screens, to `re.fullmatch` of the pattern."""
    rules = ruleset(rule_toml("test.shape", "drop-line", patterns=[pattern]))
    kept = set(clean_text("\n\n".join(lines) + "\n", rules).split("\n"))
    return {line for line in lines if line not in kept}


def fullmatched_lines(pattern: str, lines: list[str]) -> set[str]:
    """The lines `re.fullmatch` of the pattern matches, ignoring case: what `dropped_lines`
    must give for them."""
    return {line for line in lines if re.fullmatch(pattern, line, re.IGNORECASE)}
