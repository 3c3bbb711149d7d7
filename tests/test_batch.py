"""`scrapeclean batch`: trees in, trees out. Every guarantee of the command is checked through
the real CLI (a subprocess), on trees made in tmp_path from fixtures/seeds and generated text:
outputs equal single-file cleaning whatever -j is; failures are named and the rest goes on;
atomic writes survive kill -9; re-runs skip what is up to date; --check, --files-from,
--in-place, symlinks, reports, progress and usage errors."""
from __future__ import annotations

import io
import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "fixtures" / "seeds").glob("*.txt"))
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from cleaner import Options, load_rules  # noqa: E402
from cleaner.pipeline import clean_binary  # noqa: E402

BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
OWN_RULES = """\
[[rule]]
id = "ads.label"
action = "drop-line"
summary = "An advertisement label."
why = "Ad slots leave it behind."
risk = "A subheading 'Advertisement'."
pattern = "Advertisement"
removes = ["Advertisement"]
keeps = ["Advertisement spending fell."]

[[rule]]
id = "nav.skip"
action = "drop-line"
summary = "A skip link."
why = "Accessibility links of the site."
risk = "None."
pattern = "Skip to content"
removes = ["Skip to content"]
keeps = ["We skip to the content."]
"""


# --- helpers -------------------------------------------------------------------------------

def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e["PYTHONIOENCODING"] = "utf-8"
    return e


def run(*args, stdin: bytes | None = None, cwd=None, timeout: float = 120) -> tuple[int, str, str]:
    """`scrapeclean ARGS` -> (exit status, stdout, stderr)."""
    p = subprocess.run([sys.executable, "-m", "cleaner", *map(str, args)], input=stdin,
                       stdin=None if stdin is not None else subprocess.DEVNULL, capture_output=True,
                       cwd=cwd or REPO, env=env(), timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def run_many(*calls) -> list[tuple[int, str, str]]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda c: run(*c), calls))


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and 'File "' not in stderr, stderr


def page(i: int) -> str:
    """A generated page: furniture the built-in rules know, a seed page, article prose."""
    seed = SEEDS[i % len(SEEDS)].read_text(encoding="utf-8")
    prose = (f"Paragraph {i}: the council met on Tuesday and agreed, after a long debate about the budget, "
             f"that the new library would open in the spring of next year.")
    return f"1. Skip to content\nAdvertisement\n\nHeadline number {i}\n\n{prose}\n\n{seed}\n{prose}\n"


def make_tree(root: Path, n: int = 8) -> Path:
    """root/src with n generated pages in nested folders, the seed pages, hidden files and one
    binary file. -> the src folder."""
    src = root / "src"
    for i in range(n):
        folder = src / ("" if i % 3 == 0 else "sub" if i % 3 == 1 else "sub/deeper")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"page{i:03d}.txt").write_text(page(i), encoding="utf-8")
    for s in SEEDS:
        shutil.copyfile(s, src / s.name)
    (src / "crlf.txt").write_bytes(page(99).replace("\n", "\r\n").encode("utf-8"))
    (src / ".hidden.txt").write_text(page(1), encoding="utf-8")
    (src / ".git").mkdir()
    (src / ".git" / "config.txt").write_text(page(2), encoding="utf-8")
    (src / "sub" / "image.txt").write_bytes(BINARY)
    return src


def visible_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)}


_RULES = {}


def reference(path: Path, *rule_args) -> bytes:
    """What `scrapeclean FILE` writes for this file (the same pipeline call, in this process)."""
    key = rule_args
    if key not in _RULES:
        _RULES[key] = load_rules([rule_args[1]], builtin=False) if rule_args else load_rules()
    out = io.BytesIO()
    with open(path, "rb") as f:
        clean_binary(f, out, _RULES[key], Options(), str(path))
    return out.getvalue()


def expected_tree(src: Path, *rule_args) -> dict[str, bytes]:
    return {rel: reference(src / rel, *rule_args) for rel in visible_files(src) if rel != "sub/image.txt"}


@pytest.fixture
def tree(tmp_path) -> Path:
    _RULES.clear()  # the rules as they are on disk now, as the CLI under test will load them
    return make_tree(tmp_path)


# --- the result ----------------------------------------------------------------------------

def test_outputs_equal_single_file_cleaning_whatever_the_number_of_jobs(tree, tmp_path):
    (c1, o1, e1), (c2, o2, e2) = run_many(("batch", tree, "--out", tmp_path / "j1", "-j", "1"),
                                          ("batch", tree, "--out", tmp_path / "j2", "-j", "2"))
    expected = expected_tree(tree)
    assert len(expected) == len(SEEDS) + 9
    for code, out, err, dest in ((c1, o1, e1, "j1"), (c2, o2, e2, "j2")):
        assert code == 3, err  # the binary file failed; all the others were done
        assert out == ""
        no_traceback(err)
        assert f"{tree / 'sub' / 'image.txt'}: binary input" in err
        assert visible_files(tmp_path / dest) == expected
    assert not (tmp_path / "j1" / ".hidden.txt").exists() and not (tmp_path / "j1" / ".git").exists()


def test_spawned_workers_load_the_rules_themselves_and_give_the_same_result(tree, tmp_path, monkeypatch, capsys):
    import cleaner.batch as batch

    monkeypatch.setattr(batch.sys, "platform", "darwin")  # as on macOS: 'spawn', nothing inherited
    (tree / "sub" / "image.txt").unlink()
    request = batch.BatchRequest(sources=(str(tree),), out=str(tmp_path / "out"), jobs=2, quiet=True)
    assert batch.run_batch(request, print, None) == 0
    assert visible_files(tmp_path / "out") == expected_tree(tree)


def test_an_output_is_what_scrapeclean_file_prints(tree, tmp_path):
    code, _, err = run("batch", tree, "--out", tmp_path / "out", "--exclude", "image.txt", "-q")
    assert (code, err) == (0, "")
    for rel in ("page000.txt", "sub/deeper/page002.txt", "crlf.txt"):
        c, single, _ = run(tree / rel)
        assert c == 0 and single.encode("utf-8") == (tmp_path / "out" / rel).read_bytes()


def test_a_file_named_as_src_is_cleaned_to_its_name(tree, tmp_path):
    code, _, err = run("batch", tree / "sub" / "page001.txt", tree / ".hidden.txt", "--out", tmp_path / "out", "-q")
    assert code == 0, err
    assert visible_files(tmp_path / "out") == {"page001.txt": reference(tree / "sub" / "page001.txt")}
    assert (tmp_path / "out" / ".hidden.txt").read_bytes() == reference(tree / ".hidden.txt")  # named: cleaned


def test_undecodable_file_is_named_and_the_others_are_done(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("Advertisement\nPlain ASCII text.\n")
    (src / "b.txt").write_bytes("Caf\u00e9 au lait.\n".encode("utf-8"))
    (tmp_path / "r.toml").write_text(OWN_RULES)
    code, _, err = run("batch", src, "--out", tmp_path / "out", "--encoding", "ascii", "--no-builtin", "--rules",
                       tmp_path / "r.toml")
    assert code == 3
    assert f"{src / 'b.txt'}: not valid ascii" in err
    assert (tmp_path / "out" / "a.txt").read_bytes() == reference(src / "a.txt", "--rules", tmp_path / "r.toml")
    assert not (tmp_path / "out" / "b.txt").exists()


def test_an_output_that_cannot_be_written_stops_the_run_with_exit_4(tree, tmp_path):
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "sub").write_text("a file where the folder should be")
    code, _, err = run("batch", tree, "--out", dest, "-j", "1", "-q")
    assert code == 4
    assert "sub" in err and err.count("\n") == 1, err
    no_traceback(err)


# --- selection -----------------------------------------------------------------------------

def test_glob_and_exclude_choose_the_files(tree, tmp_path):
    (tree / "notes.md").write_text("Advertisement\nA note.\n")
    code, _, err = run("batch", tree, "--out", tmp_path / "out", "--glob", "*.txt", "--exclude", "sub/deeper/*",
                       "--exclude", "image.txt", "-q")
    assert code == 0, err
    got = set(visible_files(tmp_path / "out"))
    assert "notes.md" not in got and not any(r.startswith("sub/deeper/") for r in got)
    assert {"page000.txt", "sub/page001.txt", "crlf.txt"} <= got
    code, _, _ = run("batch", tree, "--out", tmp_path / "out2", "--exclude", "sub", "-q")
    assert code == 0 and not any(r.startswith("sub/") for r in visible_files(tmp_path / "out2"))


def test_symlinks_inside_src_are_followed_outside_only_when_asked(tree, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(page(5), encoding="utf-8")
    (tree / "link-out.txt").symlink_to(outside)
    (tree / "link-in.txt").symlink_to(tree / "page000.txt")
    (tree / "sub" / "image.txt").unlink()
    code, _, err = run("batch", tree, "--out", tmp_path / "a")
    assert code == 0, err
    assert "link-out.txt: symlink to" in err and "--follow-symlinks" in err
    got = visible_files(tmp_path / "a")
    assert "link-out.txt" not in got and got["link-in.txt"] == reference(tree / "page000.txt")
    code, _, err = run("batch", tree, "--out", tmp_path / "b", "--follow-symlinks", "-q")
    assert code == 0 and visible_files(tmp_path / "b")["link-out.txt"] == reference(outside)
    (tree / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    code, _, err = run("batch", tree, "--out", tmp_path / "c", "-q")
    assert code == 3 and "broken.txt: broken symlink" in err


def test_files_from_stdin_nul_separated_like_find_print0(tree, tmp_path):
    listing = subprocess.run(["find", "src", "-print0"], cwd=tree.parent, capture_output=True, check=True).stdout
    code, _, err = run("batch", "--files-from", "-", "-0", "--out", tmp_path / "out", "--exclude", "image.txt",
                       stdin=listing, cwd=tree.parent)
    assert code == 0, err
    # listed paths mean what they say from the current folder; the layout mirrors them
    expected = {f"src/{rel}": data for rel, data in expected_tree(tree).items()}
    expected["src/.hidden.txt"] = reference(tree / ".hidden.txt")  # listed, so cleaned
    expected["src/.git/config.txt"] = reference(tree / ".git" / "config.txt")
    got = {p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
           for p in (tmp_path / "out").rglob("*") if p.is_file() and p.name != ".scrapeclean-journal"}
    assert got == expected
    # with SRC, the layout is relative to it; a newline-separated list file works too
    (tmp_path / "list.txt").write_text("src/page000.txt\nsrc/sub/page001.txt\n")
    code, _, err = run("batch", "src", "--files-from", tmp_path / "list.txt", "--out", tmp_path / "out2", "-q",
                       cwd=tree.parent)
    assert code == 0, err
    assert visible_files(tmp_path / "out2") == {"page000.txt": expected["src/page000.txt"],
                                                "sub/page001.txt": expected["src/sub/page001.txt"]}


def test_files_from_refuses_a_path_outside_src_and_lists_that_include_dest(tree, tmp_path):
    (tmp_path / "x.txt").write_text("Advertisement\ntext\n")
    code, _, err = run("batch", "src", "--files-from", "-", "--out", tmp_path / "out", "-q",
                       stdin=b"x.txt\nsrc/page000.txt\n", cwd=tmp_path)
    assert code == 3 and "x.txt: not under src" in err
    assert (tmp_path / "out" / "page000.txt").exists()
    code, _, err = run("batch", "--files-from", "-", "--out", "out", stdin=b"out/page000.txt\n", cwd=tmp_path)
    assert code == 2 and "inside --out out" in err


def test_two_sources_with_the_same_relative_path_are_refused(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "same.txt").write_text("text\n")
    code, _, err = run("batch", tmp_path / "a", tmp_path / "b", "--out", tmp_path / "out")
    assert code == 2 and "would both be written to" in err
    assert not (tmp_path / "out").exists()


# --- usage errors --------------------------------------------------------------------------

def test_usage_errors_are_one_line_exit_2_and_nothing_is_written(tree, tmp_path):
    out = tmp_path / "out"
    cases = [
        (("batch", tree), "--out DEST"),
        (("batch", tree, "--in-place", "--out", out), "choose one"),
        (("batch", tree, "--out", tree / "clean"), "is inside SRC"),
        (("batch", tree, "--out", tree), "is inside SRC"),
        (("batch", tree, "--out", out, "--backup", ".orig"), "only with --in-place"),
        (("batch", tree, "--check", "--out", out), "--check writes nothing"),
        (("batch", tree, "--out", out, "-0"), "only with --files-from"),
        (("batch", tmp_path / "missing", "--out", out), "no such file or folder"),
        (("batch", tree, "--out", out, "-j", "0"), "--jobs 0"),
        (("batch", tree, "--out", out, "--report-html", tree / "r.html"), "inside a SRC"),
        (("batch", tree, "--out", out, "--report-jsonl", tmp_path / "no" / "r.jsonl"), "does not exist"),
        (("batch", "--out", out), "give the folders"),
        (("batch", tree, "--out", out, "--select", "nosuchfamily"), "--select"),
        (("batch", tree, "--out", tree / "page000.txt"), "is not a folder"),
        (("batch", tree, "--frobnicate"), "frobnicate"),
    ]
    for (args, fragment), (code, stdout, err) in zip(cases, run_many(*(c for c, _ in cases))):
        assert code == 2, (args, err)
        assert fragment in err, (args, err)
        assert err.startswith("scrapeclean: ") and err.count("\n") == 1, err
        assert stdout == ""
        no_traceback(err)
    assert not out.exists() and not (tree / "clean").exists()


def test_help_documents_the_options_and_exit_statuses():
    code, out, _ = run("batch", "--help")
    assert code == 0
    flat = " ".join(out.split())
    for option in ("--out", "--in-place", "--backup", "--glob", "--exclude", "--follow-symlinks", "--jobs",
                   "--force", "--check", "--files-from", "--null", "--report-jsonl", "--report-html", "--quiet"):
        assert option in flat
    for status in ("0 all done", "1 --check", "2 usage error", "3 some inputs", "4 an output", "130"):
        assert status in flat, status


# --- re-runs -------------------------------------------------------------------------------

def summary_counts(err: str) -> str:
    return next(line for line in err.splitlines() if " files: " in line)


def test_a_rerun_skips_what_is_up_to_date_and_redoes_the_rest(tree, tmp_path):
    out = tmp_path / "out"
    (tree / "sub" / "image.txt").unlink()
    n = len(visible_files(tree))
    code, _, err = run("batch", tree, "--out", out)
    assert code == 0 and f"{n} files: {n} cleaned" in summary_counts(err)
    assert "files/s)" in summary_counts(err) and " processed, " not in summary_counts(err)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")}

    code, _, err = run("batch", tree, "--out", out)
    assert code == 0 and f"{n} files: {n} up to date" in summary_counts(err)
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.txt")} == mtimes

    os.utime(tree / "page000.txt", ns=(1, 1))  # touched, same content: its hash says up to date
    (tree / "sub" / "page001.txt").write_text(page(1) + "One more sentence of the article.\n", encoding="utf-8")
    (out / "sub" / "deeper" / "page002.txt").unlink()  # a journal line whose output is gone
    (out / "crlf.txt").write_text("edited by hand\n")  # an output that is not the one recorded
    code, _, err = run("batch", tree, "--out", out)
    assert code == 0 and f"{n} files: 3 cleaned, {n - 3} up to date" in summary_counts(err)
    assert " processed, " in summary_counts(err)  # the rate is of the files read, and says so
    assert visible_files(out) == expected_tree(tree)
    assert (out / "page000.txt").stat().st_mtime_ns == mtimes[out / "page000.txt"]

    code, _, err = run("batch", tree, "--out", out, "--ignore", "ads")  # other options: all redone
    assert code == 0 and f"{n} files: {n} cleaned" in summary_counts(err)
    code, _, err = run("batch", tree, "--out", out, "--ignore", "ads", "--force")
    assert code == 0 and f"{n} files: {n} cleaned" in summary_counts(err)


def test_a_killed_run_leaves_its_temporaries_to_the_next_run(tree, tmp_path):
    out = tmp_path / "out"
    (tree / "sub" / "image.txt").unlink()
    assert run("batch", tree, "--out", out, "-q")[0] == 0
    stale = out / "sub" / ".page001.txt.k2j4h5g6.part"
    stale.write_text("half a page")
    other = out / ".notes.txt.abcdefgh.part"  # not beside one of our outputs: not ours to delete
    other.write_text("x")
    assert run("batch", tree, "--out", out, "-q")[0] == 0
    assert not stale.exists() and other.exists()


def _big_tree(root: Path, n: int) -> Path:
    src = root / "big"
    body = "".join(page(i) for i in range(6))
    for i in range(n):
        folder = src / f"f{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"p{i:04d}.txt").write_text(f"Page {i}\n\n" + body, encoding="utf-8")
    return src


def test_kill_9_in_the_middle_leaves_no_partial_file_and_a_rerun_completes(tmp_path):
    src = _big_tree(tmp_path, 240)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "cleaner", "batch", str(src), "--out", str(out), "-j", "2", "-q"],
                            cwd=REPO, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    journal = out / ".scrapeclean-journal"
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:  # kill once some files are done
        if journal.exists() and journal.read_bytes().count(b"\n") >= 10:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: parent and workers at once
    proc.wait()
    done = visible_files(out)
    assert done, "nothing was written before the kill"

    code, _, err = run("batch", src, "--out", out, "-j", "2")
    assert code == 0, err
    skipped = int(summary_counts(err).split(" up to date")[0].rsplit(", ", 1)[-1]) if "up to date" in err else 0
    assert skipped >= 10  # the re-run only finished the rest
    assert not list(out.rglob("*.part"))
    code, _, err = run("batch", src, "--out", tmp_path / "fresh", "-j", "1", "-q")  # one uninterrupted run
    assert code == 0, err
    fresh = visible_files(tmp_path / "fresh")
    assert len(fresh) == 240
    assert visible_files(out) == fresh  # the re-run completed to the identical tree
    bad = [rel for rel, data in done.items() if fresh[rel] != data]
    assert not bad, f"partial or wrong outputs after kill -9: {bad[:3]}"


# --- --check -------------------------------------------------------------------------------

def test_check_exits_1_listing_what_would_change_and_0_on_clean_output(tree, tmp_path):
    (tree / "sub" / "image.txt").unlink()
    (tree / "already-clean.txt").write_bytes(reference(tree / "page000.txt"))
    code, out, err = run("batch", tree, "--check")
    assert code == 1, err
    expected = expected_tree(tree)
    would = [rel for rel in sorted(expected) if expected[rel] != (tree / rel).read_bytes()]
    assert "already-clean.txt" not in would
    assert sorted(out.splitlines()) == sorted(str(tree / rel) for rel in would)
    assert "exit status 1" in err
    assert not list(tree.rglob(".scrapeclean-journal"))  # --check writes nothing

    assert run("batch", tree, "--out", tmp_path / "clean", "-q")[0] == 0
    code, out, err = run("batch", tmp_path / "clean", "--check", "-q")
    assert (code, out, err) == (0, "", "")


def test_check_reports_failures_with_exit_3(tree):
    code, out, err = run("batch", tree, "--check", "-q")
    assert code == 3 and "image.txt: binary input" in err


# --- in place ------------------------------------------------------------------------------

def test_in_place_with_backup_replaces_inputs_and_keeps_the_originals(tree):
    (tree / "sub" / "image.txt").unlink()
    (tree / "already-clean.txt").write_bytes(reference(tree / "page000.txt"))
    originals = visible_files(tree)
    expected = expected_tree(tree)
    clean_mtime = (tree / "already-clean.txt").stat().st_mtime_ns
    os.chmod(tree / "page000.txt", 0o640)
    code, _, err = run("batch", tree, "--in-place", "--backup", ".orig", "-j", "2")
    assert code == 0, err
    after = visible_files(tree)
    for rel, data in expected.items():
        assert after[rel] == data
        if originals[rel] != data:
            assert after[rel + ".orig"] == originals[rel]
    assert "already-clean.txt.orig" not in after  # unchanged: no backup, not touched
    assert (tree / "already-clean.txt").stat().st_mtime_ns == clean_mtime
    assert (tree / "page000.txt").stat().st_mode & 0o777 == 0o640
    assert not list(tree.rglob("*.part"))
    # again: everything is already clean, the backups are not cleaned nor overwritten
    code, _, err = run("batch", tree, "--in-place", "--backup", ".orig")
    assert code == 0 and "already clean" in summary_counts(err) and "cleaned" not in summary_counts(err)
    assert visible_files(tree) == after


def test_in_place_without_backup(tree):
    (tree / "sub" / "image.txt").unlink()
    expected = expected_tree(tree)
    code, _, err = run("batch", tree, "--in-place", "-q")
    assert code == 0, err
    assert visible_files(tree) == expected


# --- reports, progress, summary ------------------------------------------------------------

def test_jsonl_report_one_record_per_file_in_input_order_whatever_j(tree, tmp_path):
    rules = tmp_path / "r.toml"
    rules.write_text(OWN_RULES)
    (tree / "latin.txt").write_bytes(("Advertisement\n" + "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u00e0 la fran\u00e7aise. " * 30 + "\n").encode("cp1252"))
    calls = [("batch", tree, "--out", tmp_path / f"o{j}", "-j", j, "--no-builtin", "--rules", rules,
              "--report-jsonl", tmp_path / f"r{j}.jsonl", "-q") for j in (1, 2)]
    for code, _, err in run_many(*calls):
        assert code == 3, err
    text = (tmp_path / "r1.jsonl").read_text(encoding="utf-8")
    assert text.replace(str(tmp_path / "o1"), "") == (tmp_path / "r2.jsonl").read_text(encoding="utf-8").replace(str(tmp_path / "o2"), "")
    records = [json.loads(line) for line in text.splitlines()]
    by_path = {r["path"]: r for r in records}
    assert len(records) == len(visible_files(tree))
    p0 = by_path[str(tree / "page000.txt")]
    assert p0["status"] == "cleaned" and p0["encoding"] == "utf-8" and p0["error"] is None
    assert p0["output"] == str(tmp_path / "o1" / "page000.txt")
    assert p0["bytes_in"] == (tree / "page000.txt").stat().st_size
    assert p0["bytes_out"] == (tmp_path / "o1" / "page000.txt").stat().st_size
    assert {"line": 1, "rule": "nav.skip", "text": "1. Skip to content", "span": False} in p0["removed"]
    assert {"line": 2, "rule": "ads.label", "text": "Advertisement", "span": False} in p0["removed"]
    img = by_path[str(tree / "sub" / "image.txt")]
    assert img["status"] == "failed" and "binary input" in img["error"] and img["removed"] is None
    latin = by_path[str(tree / "latin.txt")]
    assert latin["status"] == "cleaned" and latin["encoding"] not in ("utf-8", None)


def test_summary_on_stderr_and_quiet_silences_it(tree, tmp_path):
    (tree / "sub" / "image.txt").unlink()
    (code, out, err), (qcode, qout, qerr) = run_many(("batch", tree, "--out", tmp_path / "a"),
                                                     ("batch", tree, "--out", tmp_path / "b", "-q"))
    assert code == qcode == 0 and out == qout == qerr == ""
    lines = err.splitlines()
    assert all(line.startswith("scrapeclean: ") for line in lines)
    assert "files/s" in lines[0] and " in, " in lines[0] and " out;" in lines[0]
    assert any(line.startswith("scrapeclean: lines removed by family: ") and "nav " in line for line in lines)
    assert "\r" not in err  # stderr is not a terminal: no progress bar


def _run_on_pty(*args) -> tuple[int, str]:
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "cleaner", *map(str, args)], cwd=REPO, env=env(),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return p.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_only_on_a_terminal_and_not_with_quiet(tree, tmp_path):
    (tree / "sub" / "image.txt").unlink()
    code, err = _run_on_pty("batch", tree, "--out", tmp_path / "a", "-j", "1")
    assert code == 0
    assert "\r" in err and "files" in err and "left" in err
    code, err = _run_on_pty("batch", tree, "--out", tmp_path / "b", "-q")
    assert (code, err) == (0, "")
