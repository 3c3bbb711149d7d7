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


@pytest.mark.parametrize("args", [(), ("--no-heuristics",), ("-q", "--no-heuristics"), ("--no-heuristics", "--heuristics")],
                         ids=["plain", "no-heuristics", "quiet-no-heuristics", "last-flag-wins"])
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
