"""Plain invocations skip the argument parser (typer and rich cost more to import than cleaning
a page, and shell loops pay start-up per page): they must give exactly what the full command
line gives, and must really skip it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "fixtures" / "seeds" / "000_096e1c0bc3ef6c87.txt"


def _run(*args: str, importtime: bool = False) -> tuple[int, bytes, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    argv = [sys.executable] + (["-X", "importtime"] if importtime else []) + ["-m", "cleaner", *args]
    with open(SEED, "rb") as stdin:
        r = subprocess.run(argv, stdin=stdin, capture_output=True, env=env, cwd=REPO)
    return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")


RULES = str(REPO / "fixtures" / "rules")


@pytest.mark.parametrize("args", [(), ("--no-heuristics",), ("-q", "--no-heuristics"), ("--no-heuristics", "--heuristics"),
                                  ("--rules", RULES), (f"--rules={RULES}", "--no-heuristics")],
                         ids=["plain", "no-heuristics", "quiet-no-heuristics", "last-flag-wins", "rules", "rules="])
def test_plain_invocations_equal_the_full_command_line_without_importing_typer(args):
    code, fast, err = _run(*args, importtime=True)
    assert code == 0, err
    imported = {line.rsplit("|", 1)[-1].strip() for line in err.splitlines() if line.startswith("import time:")}
    assert "typer" not in imported and "rich" not in imported
    code, full, err = _run("clean", *args)  # the subcommand goes through typer
    assert code == 0, err
    assert fast == full and fast.strip()


def test_the_heuristics_flag_reaches_the_fast_path():
    assert _run("--no-heuristics")[1] != _run()[1]  # the seed's headline goes only with heuristics


@pytest.mark.parametrize("path, problem", [("no/such/folder", "no such file or folder"), ("BAD", "TOML syntax error")])
def test_a_bad_rules_path_is_one_line_and_exit_2_on_both_paths(tmp_path, path, problem):
    if path == "BAD":
        path = str(tmp_path / "bad.toml")
        Path(path).write_text("[[rule]\nid = 'x'\n", encoding="utf-8")
    outcomes = []
    for args in (("--rules", path), ("clean", "--rules", path)):
        code, out, err = _run(*args)
        assert (code, out) == (2, b"") and len(err.splitlines()) == 1 and problem in err, err
        assert err.startswith(f"scrapeclean: {path}")
        outcomes.append(err)
    assert outcomes[0] == outcomes[1]
