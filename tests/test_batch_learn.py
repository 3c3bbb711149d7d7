"""`scrapeclean batch SRC --out DEST --learn`: learn the sites' furniture from exactly the files
the batch selected, then clean them with the learned rules added.

The sites are generated in tmp_path by test_learn's generator (a menu, a byline with a counter,
a footer marker and a legal footer no built-in rule knows, around a unique article). What must
hold for a user: the menu goes and every article line stays (and without --learn the menu
stays, so the test can fail); the result does not depend on -j; a re-run is up to date, and
a run with other rules is not; --learn-to keeps loadable, tested site packs; learning reads the
same selection as the cleaning; --check and --in-place work with it; nothing is left in the
temporary folder; misuse gets one line and exit 2.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_no_traceback, cli_env, run_cli, run_cli_many
from test_learn import make_site

MENU = ["World news", "Business desk", "Culture and arts", "Weather forecast", "Podcasts and radio"]
LEGAL = ["Privacy policy and cookie settings", "Terms of use for readers"]


def _site(root: Path, n: int = 10, seed: int = 31) -> tuple[Path, dict[Path, list[str]]]:
    src = root / "src"
    pages = make_site(src / "gazette", "Harbour Gazette", n, seed=seed)
    return src, pages


def _out_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def _outputs(dest: Path) -> dict[str, bytes]:
    return {p.relative_to(dest).as_posix(): p.read_bytes() for p in sorted(dest.rglob("*"))
            if p.is_file() and p.name != ".scrapeclean-journal"}


def test_learned_menu_is_removed_and_every_article_line_stays(tmp_path):
    src, pages = _site(tmp_path)
    plain, learned = tmp_path / "plain", tmp_path / "learned"
    (code1, _, err1), (code2, _, err2) = run_cli_many(
        ("batch", src, "--out", plain, "--no-heuristics", "-j", "1"),
        ("batch", src, "--out", learned, "--learn", "--no-heuristics", "-j", "1"),
    )
    assert (code1, code2) == (0, 0), err1 + err2
    assert "learned" in err2 and "removed after the run" in err2
    for page, article in pages.items():
        rel = page.relative_to(src)
        before, after = _out_lines(plain / rel), _out_lines(learned / rel)
        assert "* Business desk" in before  # no built-in rule knows this menu
        assert not any(item in line for item in MENU + LEGAL for line in after), after
        for line in article:
            assert line in after, (rel, line)


def test_same_outputs_with_one_or_two_workers_and_with_heuristics(tmp_path):
    src, pages = _site(tmp_path, n=12, seed=32)
    one, two = tmp_path / "j1", tmp_path / "j2"
    (c1, _, e1), (c2, _, e2) = run_cli_many(
        ("batch", src, "--out", one, "--learn", "-j", "1", "-q"),
        ("batch", src, "--out", two, "--learn", "-j", "2", "-q"),
    )
    assert (c1, c2) == (0, 0), e1 + e2
    assert e1 == e2 == ""  # -q: nothing on stderr
    assert _outputs(one) == _outputs(two) and len(_outputs(one)) == len(pages)
    for page, article in pages.items():
        text = (one / page.relative_to(src)).read_text(encoding="utf-8")
        assert "Business desk" not in text and all(line in text for line in article[1:])


def test_rerun_is_up_to_date_and_other_rules_redo_the_outputs(tmp_path):
    src, pages = _site(tmp_path, n=8, seed=33)
    dest = tmp_path / "out"
    code, _, err = run_cli("batch", src, "--out", dest, "--learn", "--no-heuristics", "-j", "1")
    assert code == 0, err
    # learned again into a new temporary folder: the same rules, so nothing is redone
    code, _, err = run_cli("batch", src, "--out", dest, "--learn", "--no-heuristics", "-j", "1")
    assert code == 0 and "8 up to date" in err, err
    # the outputs were made with the learned rules: without them every file is redone
    code, _, err = run_cli("batch", src, "--out", dest, "--no-heuristics", "-j", "1")
    assert code == 0 and "8 cleaned" in err and "up to date" not in err, err
    assert "Business desk" in (dest / next(iter(pages)).relative_to(src)).read_text(encoding="utf-8")


def test_learn_to_keeps_site_packs_that_load_and_pass_their_examples(tmp_path):
    src, pages = _site(tmp_path)
    make_site(src / "courier", "Valley Courier", 8, seed=34)
    packs = tmp_path / "packs"
    packs.mkdir()
    (packs / "old-site.toml").write_text("# from an earlier run\n", encoding="utf-8")
    code, _, err = run_cli("batch", src, "--out", tmp_path / "out", "--learn-to", packs, "-j", "2")
    assert code == 0, err
    written = sorted(p.name for p in packs.glob("*.toml"))
    assert len(written) == 3, written  # one pack per site, and the old file left alone
    assert "old-site.toml not written by this run" in err
    assert "Harbour Gazette" in err and "Valley Courier" in err
    new = [packs / n for n in written if n != "old-site.toml"]
    texts = [p.read_text(encoding="utf-8") for p in new]
    assert all("[site]" in t and "[[rule]]" in t for t in texts)  # each switches on on its own site only
    code, out, err = run_cli("rules", "test", *new)
    assert code == 0, out.decode() + err
    courier = (tmp_path / "out" / "courier" / "page000.txt").read_text(encoding="utf-8")
    assert "Letters to the editor" not in courier and "Our privacy notice" not in courier


def test_learning_reads_exactly_the_selected_files(tmp_path):
    src, pages = _site(tmp_path, n=12, seed=35)
    packs = tmp_path / "packs"
    code, _, err = run_cli("batch", src, "--out", tmp_path / "out", "--learn-to", packs,
                           "--exclude", "page00[0-3].txt", "-j", "1")
    assert code == 0, err
    (pack,) = packs.glob("*.toml")
    assert "from the 8 pages of Harbour Gazette" in pack.read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "out" / "gazette").iterdir()) == [f"page{i:03d}.txt" for i in range(4, 12)]

    listing = tmp_path / "list.txt"
    chosen = sorted(pages)[:6]
    listing.write_text("".join(f"{p}\n" for p in chosen), encoding="utf-8")
    code, _, err = run_cli("batch", src, "--files-from", listing, "--out", tmp_path / "out2", "--learn-to", tmp_path / "p2", "-j", "1")
    assert code == 0, err
    (pack,) = (tmp_path / "p2").glob("*.toml")
    assert "from the 6 pages of Harbour Gazette" in pack.read_text(encoding="utf-8")


def test_check_and_in_place_with_learning(tmp_path):
    src, pages = _site(tmp_path, n=8, seed=36)
    before = {p: p.read_bytes() for p in pages}
    code, out, err = run_cli("batch", src, "--check", "--learn", "-j", "1")
    assert code == 1, err
    assert sorted(out.decode().split()) == sorted(map(str, pages))  # every page would change
    assert {p: p.read_bytes() for p in pages} == before  # --check writes nothing

    reference = tmp_path / "ref"
    code, _, err = run_cli("batch", src, "--out", reference, "--learn", "-j", "1")
    assert code == 0, err
    code, _, err = run_cli("batch", src, "--in-place", "--backup", ".orig", "--learn", "-j", "2")
    assert code == 0, err
    for page in pages:
        assert page.read_bytes() == (reference / page.relative_to(src)).read_bytes()
        assert Path(str(page) + ".orig").read_bytes() == before[page]


def test_the_temporary_rules_are_removed_and_a_failed_page_is_named_once(tmp_path):
    src, pages = _site(tmp_path, n=8, seed=37)
    (src / "gazette" / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.run([sys.executable, "-m", "cleaner", "batch", str(src), "--out", str(tmp_path / "out"), "--learn", "-j", "2"],
                          capture_output=True, env=cli_env({"TMPDIR": str(tmp)}), timeout=120)
    err = proc.stderr.decode()
    assert proc.returncode == 3, err  # the binary file is an input error, the others are done
    assert err.count("image.txt") == 1, err  # named by the cleaning pass only
    assert "Business desk" not in (tmp_path / "out" / next(iter(pages)).relative_to(src)).read_text(encoding="utf-8")
    assert os.listdir(tmp) == []


def test_misuse_is_one_line_and_exit_2(tmp_path):
    src, _ = _site(tmp_path, n=4, seed=38)
    afile = tmp_path / "file.txt"
    afile.write_text("x\n", encoding="utf-8")
    results = run_cli_many(
        ("batch", src, "--out", tmp_path / "o1", "--learn-to", src / "packs"),
        ("batch", src, "--out", tmp_path / "o2", "--learn-to", afile),
        ("batch", src, "--out", tmp_path / "o3", "--learn", "--site", "none"),
        ("batch", src, "--out", tmp_path / "o4", "--learn", "--scheduler", "tcp://127.0.0.1:9"),
        ("batch", src, "--out", tmp_path / "o5", "--learn-to", tmp_path / "r", "--rules", tmp_path / "r"),
    )
    assert [r[0] for r in results] == [2, 2, 2, 2, 2], [r[2] for r in results]
    expected = ["inside a SRC folder", "is not a folder", "--site none", "--learn-to FOLDER", "also loaded by --rules"]
    for (code, stdout, err), words in zip(results, expected):
        assert_no_traceback(err)
        assert stdout == b"" and len(err.strip().splitlines()) == 1 and words in err, err
    assert not (src / "packs").exists() and not any((tmp_path / f"o{i}").exists() for i in range(1, 6))


@pytest.mark.skipif(not os.environ.get("CI") and __import__("importlib").util.find_spec("distributed") is None,
                    reason="Dask is not installed (pip install '.[dask]')")
def test_dask_with_learn_to_equals_local(tmp_path):
    from test_dask import Cluster

    src, pages = _site(tmp_path, n=10, seed=39)
    code, _, err = run_cli("batch", src, "--out", tmp_path / "local", "--learn", "-j", "2")
    assert code == 0, err
    cluster = Cluster(tmp_path)
    try:
        proc = subprocess.run([sys.executable, "-m", "cleaner", "batch", str(src), "--out", str(tmp_path / "dask"),
                               "--learn-to", str(tmp_path / "packs"), "--scheduler", cluster.address],
                              capture_output=True, env=cli_env(), timeout=120)
        assert proc.returncode == 0, proc.stderr.decode() + cluster.log_text()
    finally:
        cluster.close()
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
