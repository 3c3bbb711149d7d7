"""The `scrapeclean` command as a user runs it: exit statuses, stdout/stderr discipline, inputs
and outputs, --explain, the rules subcommands, a closed pipe and Ctrl-C."""
from __future__ import annotations

import itertools
import os
import signal
import subprocess
import threading
import time

import pytest

import cleaner
from conftest import (
    REPO, SEED_PAGE, assert_no_traceback, cli_command, cli_env, rule_toml, run_cli, run_cli_many,
)

RULES = (rule_toml("ads.label", "drop-line", pattern="Advertisement", removes=["Advertisement", "* Advertisement"],
                   keeps=["Advertisement spending fell."])
         + rule_toml("credits.image", "strip-span", pattern=r"Image: [A-Z/]+", case_sensitive=True,
                     removes=["A captionImage: AFP"], keeps=["Image: a new world"]))
PAGE = "Title\nAdvertisement\n\nA captionImage: AFP\n\nBody text.\n"
CLEAN = "Title\n\nA caption\n\nBody text.\n"


@pytest.fixture
def rules_path(rules_file):
    return rules_file(RULES)


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


FILLER = "Filler text that is plain valid UTF-8.\n" * 2000  # > 64 KiB: past the encoding sniff


def late_bad_byte(prefix: str = "") -> bytes:
    """Valid UTF-8 for more than the first 64 KiB, then one bad byte: in a pipe, a warning."""
    return (prefix + FILLER).encode("utf-8") + b"caf\xe9 ok\n"


def big_page(path, megabytes: int = 4):
    # distinct lines: one line repeated is no article to the heuristic stage (it would all go)
    line = "Line {} of article text that is long enough to be a realistic sentence in a page dump.\n"
    path.write_text("".join(line.format(i) for i in range(megabytes * 1_000_000 // len(line))), encoding="utf-8")
    return path


# --- exit statuses -------------------------------------------------------------------------

def test_exit_0_clean_text_on_stdout_nothing_on_stderr(rules_path):
    assert run_cli("--no-builtin", "--rules", rules_path, stdin=PAGE) == (0, CLEAN.encode(), "")


def test_exit_2_for_a_bad_option_with_a_one_line_message():
    for code, out, err in run_cli_many(("--frobnicate", SEED_PAGE), ("--site",), ("rules", "show")):
        assert (code, out) == (2, b"")
        assert err.startswith("scrapeclean: ") and len(err.splitlines()) == 1, err
        assert_no_traceback(err)


def test_exit_3_for_a_missing_input_and_the_other_inputs_are_still_cleaned(tmp_path, rules_path):
    a = write(tmp_path / "a.txt", "First\nAdvertisement\n")
    b = write(tmp_path / "b.txt", "Second\n")
    code, out, err = run_cli("--no-builtin", "--rules", rules_path, a, tmp_path / "missing.txt", b)
    assert (code, out) == (3, b"First\nSecond\n")
    assert err == f"scrapeclean: {tmp_path / 'missing.txt'}: no such file\n"


def test_exit_3_for_a_folder_given_as_input(tmp_path):
    code, out, err = run_cli("--no-builtin", tmp_path)
    assert (code, out) == (3, b"")
    assert str(tmp_path) in err and len(err.splitlines()) == 1


def test_exit_4_when_the_output_folder_does_not_exist(tmp_path):
    target = tmp_path / "no" / "such" / "folder" / "clean.txt"
    code, out, err = run_cli("--no-builtin", SEED_PAGE, "-o", target)
    assert (code, out) == (4, b"")
    assert err.startswith(f"scrapeclean: {target}: ") and len(err.splitlines()) == 1
    assert not target.parent.exists()


# A plain invocation and one with options take different paths through the command's start-up:
# the outcomes a user sees must be the same on both.
ENTRY_PATHS = pytest.mark.parametrize("options", [(), ("--no-builtin",)], ids=["plain", "with-options"])


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@ENTRY_PATHS
def test_exit_4_when_stdout_cannot_be_written(options):
    code, out, err = run_cli(*options, SEED_PAGE, stdout_file="/dev/full")
    assert_no_traceback(err)
    assert code == 4, err
    assert err.startswith("scrapeclean: ") and len(err.splitlines()) == 1, err


# --- stdout holds only text, stderr only messages --------------------------------------------

def test_stdout_holds_only_clean_text_and_stderr_only_messages(tmp_path, rules_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02")
    # a warning (a bad byte in a pipe) and an error (binary file) in the same run
    code, out, err = run_cli("--no-builtin", "--rules", rules_path, "-", bad, stdin=late_bad_byte(PAGE))
    assert code == 3
    assert out.decode("utf-8") == CLEAN + FILLER + "caf\ufffd ok\n"
    lines = err.splitlines()
    assert len(lines) == 2 and all(line.startswith("scrapeclean: ") for line in lines)


def test_several_files_go_to_stdout_in_order_and_dash_is_stdin(tmp_path, rules_path):
    a = write(tmp_path / "a.txt", "One\nAdvertisement\n")
    b = write(tmp_path / "b.txt", "\n\nThree\n")
    code, out, err = run_cli("--no-builtin", "--rules", rules_path, a, "-", b, stdin="Two\r\nImage: AP\r\n")
    assert (code, out, err) == (0, b"One\nTwo\nThree\n", "")


def test_a_first_argument_that_is_not_a_subcommand_is_a_file(tmp_path):
    write(tmp_path / "rules", "A page called rules\n")
    results = run_cli_many({"args": ("--no-builtin", "./rules"), "cwd": tmp_path},
                           {"args": ("clean", "--no-builtin", "./rules"), "cwd": tmp_path})
    assert results == [(0, b"A page called rules\n", "")] * 2


# --- -o ------------------------------------------------------------------------------------

def test_output_file_gets_the_clean_text_and_stdout_stays_empty(tmp_path, rules_path):
    src = write(tmp_path / "page.txt", PAGE)
    target = write(tmp_path / "clean.txt", "old content\n")
    os.chmod(target, 0o640)
    code, out, err = run_cli("--no-builtin", "--rules", rules_path, src, "-o", target)
    assert (code, out, err) == (0, b"", "")
    assert target.read_text(encoding="utf-8") == CLEAN
    assert os.stat(target).st_mode & 0o777 == 0o640  # an existing target keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean.txt", "page.txt", "rules.toml"]


def test_existing_output_is_left_untouched_when_an_input_fails(tmp_path, rules_path):
    good = write(tmp_path / "good.txt", PAGE)
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    target = write(tmp_path / "clean.txt", "old content\n")
    before = sorted(p.name for p in tmp_path.iterdir())
    results = run_cli_many(
        ("--no-builtin", "--rules", rules_path, good, tmp_path / "missing.txt", "-o", target),
        ("--no-builtin", "--rules", rules_path, good, binary, "-o", target),
    )
    for code, out, err in results:
        assert (code, out) == (3, b""), err
        assert_no_traceback(err)
        assert str(target) in err  # says the output was not written
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no stray .part files


def test_output_to_a_new_file(tmp_path):
    target = tmp_path / "new.txt"
    code, out, err = run_cli("--no-builtin", "-o", target, stdin="Hello\n")
    assert (code, out, err) == (0, b"", "")
    assert target.read_bytes() == b"Hello\n"


# --- --explain, -q, --version --------------------------------------------------------------

def test_explain_prints_line_rule_and_removed_text(tmp_path, rules_path):
    code, out, err = run_cli("--explain", "--no-builtin", "--rules", rules_path, stdin=PAGE)
    assert (code, err) == (0, "")
    assert out.decode("utf-8").splitlines() == [
        "2: ads.label: Advertisement",
        "4: credits.image: [span] Image: AFP",
    ]


def test_explain_names_the_file_when_there_are_several(tmp_path, rules_path):
    a = write(tmp_path / "a.txt", "Advertisement\n")
    b = write(tmp_path / "b.txt", "x\n\nAdvertisement\n")
    code, out, err = run_cli("--explain", "--no-builtin", "--rules", rules_path, a, b)
    assert (code, err) == (0, "")
    assert out.decode("utf-8").splitlines() == [f"{a}:1: ads.label: Advertisement", f"{b}:3: ads.label: Advertisement"]


def test_quiet_silences_warnings_but_not_errors(tmp_path):
    results = run_cli_many({"args": ("--no-builtin",), "stdin": late_bad_byte()},
                           {"args": ("-q", "--no-builtin"), "stdin": late_bad_byte()},
                           ("-q", "--no-builtin", tmp_path / "missing.txt"))
    (code1, out1, err1), (code2, out2, err2), (code3, out3, err3) = results
    assert code1 == 0 and len(err1.splitlines()) == 1 and "U+FFFD" in err1
    assert (code2, out2, err2) == (0, out1, "")
    assert code3 == 3 and "missing.txt" in err3


def test_version():
    results = run_cli_many(("--version",), ("clean", "--version"))
    assert results == [(0, f"scrapeclean {cleaner.__version__}\n".encode(), "")] * 2


def test_help_mentions_the_exit_statuses():
    code, out, err = run_cli("--help")
    assert code == 0 and b"Exit status" in out and err == ""


# --- rules list / show / test ----------------------------------------------------------------

def test_rules_list_and_show(rules_path):
    (code, out, err), (code2, out2, err2), (code3, out3, err3) = run_cli_many(
        ("rules", "list", "--no-builtin", "--rules", rules_path),
        ("rules", "show", "credits.image", "--no-builtin", "--rules", rules_path),
        ("rules", "show", "credits.nope", "--no-builtin", "--rules", rules_path),
    )
    assert (code, err) == (0, "")
    listed = out.decode().splitlines()
    assert [line.split()[:2] for line in listed] == [["ads.label", "drop-line"], ["credits.image", "strip-span"]]
    assert "Test rule ads.label." in listed[0]
    assert (code2, err2) == (0, "")
    shown = out2.decode()
    for part in ("credits.image", "strip-span", "summary:", "why:", "risk:", "Image: [A-Z/]+",
                 "'A captionImage: AFP'", "'Image: a new world'", str(rules_path)):
        assert part in shown, part
    assert (code3, out3) == (2, b"") and "credits.nope" in err3


def test_rules_test_passes_for_good_examples(rules_path):
    code, out, err = run_cli("rules", "test", "--no-builtin", rules_path)
    assert (code, err) == (0, "")
    assert out.decode().splitlines() == ["2 rules tested: 2 passed, 0 failed"]


def test_rules_test_fails_for_examples_that_do_not_hold(rules_file):
    path = rules_file(
        rule_toml("ads.label", "drop-line", pattern="Advertisement",
                  removes=["Advertisement", "Sponsored"],  # not removed
                  keeps=["Advertisement spending fell.", "* Advertisement"])  # removed
        + rule_toml("nav.skip", "drop-line", pattern="Skip to content", removes=["Skip to content"], keeps=["Skip it"],
                    cases=[("Skip to content\nText\n", "Skip to content\nText\n")])  # case output wrong
        + rule_toml("nav.fine", "drop-line", pattern="Back to top", removes=["Back to top"], keeps=["Back to the top"]))
    code, out, err = run_cli("rules", "test", "--no-builtin", path)
    assert (code, err) == (1, "")
    lines = out.decode().splitlines()
    fails = [line for line in lines if line.startswith("FAIL ")]
    assert len(fails) == 3, lines
    assert fails[0].startswith(f"FAIL {path}: rule ads.label: removes[1]: ") and "'Sponsored'" in fails[0]
    assert fails[1].startswith(f"FAIL {path}: rule ads.label: keeps[1]: ") and "ads.label" in fails[1][30:]
    assert fails[2].startswith(f"FAIL {path}: rule nav.skip: cases[0]: ")
    assert lines[-1] == "3 rules tested: 1 passed, 2 failed"


def test_rules_test_checks_keeps_against_the_other_rules(rules_file):
    """A rule's keep example removed by *another* loaded rule is a failure of that example."""
    path = rules_file(
        rule_toml("ads.label", "drop-line", pattern="Advertisement.*", removes=["Advertisement"], keeps=["Sponsored"])
        + rule_toml("nav.skip", "drop-line", pattern="Skip", removes=["Skip"], keeps=["Advertisement spending fell."]))
    code, out, err = run_cli("rules", "test", "--no-builtin", path)
    assert code == 1
    fails = [line for line in out.decode().splitlines() if line.startswith("FAIL ")]
    assert len(fails) == 1 and "rule nav.skip: keeps[0]" in fails[0] and "ads.label" in fails[0]


# --- closed pipe, Ctrl-C ---------------------------------------------------------------------

@ENTRY_PATHS
def test_a_closed_stdout_pipe_exits_141_quietly(tmp_path, options):
    big = big_page(tmp_path / "big.txt", 4)
    proc = subprocess.Popen(cli_command(*options, big), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=cli_env(), cwd=REPO)
    try:
        assert len(proc.stdout.read(100)) == 100  # like `| head -c 100`
        proc.stdout.close()
        err = proc.stderr.read().decode("utf-8", "replace")
        code = proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert_no_traceback(err)
    assert err == ""
    assert code == 141


@ENTRY_PATHS
def test_ctrl_c_during_a_run_exits_130_quietly(options):
    # Started as a terminal starts a foreground job: SIGINT at its default. A test run started
    # in the background by a non-interactive shell inherits SIGINT ignored, and a program
    # started so rightly goes on ignoring it (that is what `cmd &` and nohup are for).
    proc = subprocess.Popen(cli_command(*options, "-"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=cli_env(), cwd=REPO,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    got = bytearray()

    def drain() -> None:
        while data := proc.stdout.read1(65536):
            got.extend(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    # distinct lines: one line repeated is no article to the heuristic stage (it would all go)
    lines = (b"Line %d of article text streaming in through a pipe, one of very many.\n" % i for i in itertools.count())
    try:
        # feed until the cleaner has written output: it is running, not starting up
        deadline = time.monotonic() + 60
        while not got and time.monotonic() < deadline:
            proc.stdin.write(b"".join(itertools.islice(lines, 2000)))
            proc.stdin.flush()
        assert got, "no output from the cleaner"
        proc.send_signal(signal.SIGINT)  # stdin stays open: the cleaner is mid-stream
        code = proc.wait(timeout=60)
        err = proc.stderr.read().decode("utf-8", "replace")
    finally:
        proc.kill()
        proc.wait()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            try:
                f.close()
            except OSError:
                pass
    assert_no_traceback(err)
    assert code == 130
