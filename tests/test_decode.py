"""Bytes in: encodings, binary refusal, bad bytes in files and pipes, and normalisation."""
from __future__ import annotations

import codecs
import io

from cleaner import InputError, Options, RuleSet
from conftest import assert_no_traceback, clean_binary, clean_text, run_cli, run_cli_many

FRENCH = ("Le café de la gare était fermé, mais l’hôtel « Bellevue » proposait un dîner à 25 € — une aubaine "
          "pour les voyageurs épuisés. Déjà, la tempête arrivait sur la côte ; les pêcheurs rentraient au port.\n")
GERMAN = ("Die Straße war überfüllt, und die Bürger äußerten ihren Ärger über die Verzögerungen. Der "
          "Bürgermeister erklärte, dass die Bauarbeiten noch Wochen dauern würden.\n")
TEXT = "Café crème, Zürich, naïve señor\nSecond line: 25 €, “quoted”\n"
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"


def clean_file(tmp_path, data: bytes, *args: str, name: str = "page.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return run_cli("--no-builtin", *args, path)


def test_utf8_with_and_without_bom(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_bytes(TEXT.encode("utf-8"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    for code, out, err in run_cli_many(("--no-builtin", plain), ("--no-builtin", bom),
                                       {"args": ("--no-builtin",), "stdin": codecs.BOM_UTF8 + TEXT.encode()}):
        assert (code, out.decode("utf-8"), err) == (0, TEXT, "")


def test_utf16_and_utf32_with_bom(tmp_path):
    calls = []
    for i, codec in enumerate(["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]):
        bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
               "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[codec]
        path = tmp_path / f"page{i}.txt"
        path.write_bytes(bom + TEXT.encode(codec))
        calls.append(("--no-builtin", path))
    for call, (code, out, err) in zip(calls, run_cli_many(*calls)):
        assert (code, out.decode("utf-8"), err) == (0, TEXT, ""), call


def test_utf16_with_bom_through_the_api():
    out = io.BytesIO()
    stats = clean_binary(io.BytesIO(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le")), out, RuleSet(()))
    assert out.getvalue().decode("utf-8") == TEXT
    assert stats.encoding.startswith("utf")


def test_legacy_single_byte_text_is_detected_and_decoded(tmp_path):
    """cp1252 (with € and curly quotes) and latin-1 pages: chardet is asked, the text comes out right."""
    cp1252 = tmp_path / "cp1252.txt"
    cp1252.write_bytes((FRENCH * 3).encode("cp1252"))
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes((GERMAN * 3).encode("latin-1"))
    results = run_cli_many(("--no-builtin", cp1252), ("--no-builtin", latin1),
                           {"args": ("--no-builtin",), "stdin": (GERMAN * 3).encode("latin-1")})
    for (code, out, err), want in zip(results, [FRENCH * 3, GERMAN * 3, GERMAN * 3]):
        assert (code, out.decode("utf-8")) == (0, want), err


def test_encoding_option_overrides_detection(tmp_path):
    results = run_cli_many(
        {"args": ("--no-builtin", "--encoding", "cp1252"), "stdin": TEXT.encode("cp1252")},
        # valid UTF-8, but the user says latin-1: the override wins (so the output is mojibake)
        {"args": ("--no-builtin", "--encoding", "latin-1"), "stdin": "café\n".encode("utf-8")},
        {"args": ("--no-builtin", "--encoding", "shift_jis"), "stdin": "日本語のテキスト\n".encode("shift_jis")},
    )
    assert [(c, o.decode("utf-8")) for c, o, _ in results] == [(0, TEXT), (0, "cafÃ©\n"), (0, "日本語のテキスト\n")]


def test_encoding_option_through_the_api():
    out = io.BytesIO()
    clean_binary(io.BytesIO(GERMAN.encode("cp1252")), out, RuleSet(()), Options(encoding="cp1252"))
    assert out.getvalue().decode("utf-8") == GERMAN


def test_unknown_encoding_name_is_a_usage_error(tmp_path):
    code, out, err = clean_file(tmp_path, b"text\n", "--encoding", "klingon-8")
    assert (code, out) == (2, b"")
    assert err.startswith("scrapeclean: ") and "klingon-8" in err and len(err.splitlines()) == 1
    assert_no_traceback(err)


def test_utf16_without_bom_and_encoding_utf16_does_not_crash(tmp_path):
    """The binary-input message says to pass --encoding for UTF-16 without a BOM; doing so with
    the plain name `utf-16` must decode the page (or refuse it cleanly), not crash."""
    code, out, err = clean_file(tmp_path, TEXT.encode("utf-16-le"), "--encoding", "utf-16")
    assert_no_traceback(err)
    assert code in (0, 3), err
    code, out, err = clean_file(tmp_path, TEXT.encode("utf-16-le"), "--encoding", "utf-16-le")
    assert (code, out.decode("utf-8")) == (0, TEXT)


def test_binary_input_is_refused_naming_the_file_and_the_others_are_still_cleaned(tmp_path):
    png = tmp_path / "image.png"
    png.write_bytes(PNG_HEAD)
    a = tmp_path / "a.txt"
    a.write_text("First page\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("Second page\n", encoding="utf-8")
    code, out, err = run_cli("--no-builtin", a, png, b)
    assert code == 3
    assert out == b"First page\nSecond page\n"
    assert len(err.splitlines()) == 1 and str(png) in err and "binary" in err
    assert_no_traceback(err)


def test_control_bytes_without_nul_are_refused_as_binary(tmp_path):
    code, out, err = clean_file(tmp_path, bytes(range(1, 9)) * 50 + b"text\n")
    assert (code, out) == (3, b"")
    assert "page.txt" in err and "binary" in err


def test_binary_input_through_the_api_raises_input_error():
    try:
        clean_binary(io.BytesIO(PNG_HEAD), io.BytesIO(), RuleSet(()), name="img.png")
    except InputError as e:
        assert e.message.startswith("img.png: ")
        assert e.exit_code == 3
    else:
        raise AssertionError("binary input was not refused")


def _late_bad_byte() -> bytes:
    good = ("A line of perfectly good UTF-8 text with an é in it.\n" * 4200).encode("utf-8")
    assert len(good) > 200 * 1024
    return good + b"Then a bad byte \xff here.\nLast line.\n"


def test_bad_byte_late_in_a_file_is_an_error_before_anything_is_written(tmp_path):
    path = tmp_path / "late.txt"
    path.write_bytes(_late_bad_byte())
    out_file = tmp_path / "clean.txt"
    (code, out, err), (code_o, out_o, err_o), (code_r, out_r, err_r) = run_cli_many(
        ("--no-builtin", path), ("--no-builtin", path, "-o", out_file),
        {"args": ("--no-builtin",), "stdin_file": path},  # `< file` is a file too
    )
    assert (code, out) == (3, b""), err[:500]
    assert "late.txt" in err and "--encoding" in err
    assert code_o == 3 and not out_file.exists()
    assert (code_r, out_r) == (3, b""), err_r[:500]
    for e in (err, err_o, err_r):
        assert_no_traceback(e)


def test_bad_byte_late_in_a_pipe_becomes_a_replacement_character_with_one_warning():
    code, out, err = run_cli("--no-builtin", stdin=_late_bad_byte())
    assert code == 0
    text = out.decode("utf-8")
    assert text.endswith("Then a bad byte \ufffd here.\nLast line.\n")
    assert text.count("\ufffd") == 1
    warnings = err.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("scrapeclean: <stdin>: ") and "U+FFFD" in warnings[0]
    code, out, err = run_cli("-q", "--no-builtin", stdin=_late_bad_byte())
    assert (code, err) == (0, "")


def test_normalisation_of_spaces_invisibles_line_ends_and_nfc():
    raw = ("No\u00a0break\u202fnarrow\u3000wide\u2003em\x0bvt\x0cff\r\n"
           "zero\u200bwidth\u2060joiner soft\u00adhyphen \ufeffbom\r\n"
           "trailing blanks \t \u00a0\r"
           "   indented stays\n"
           "e\u0301t\u0065\u0301 Cafe\u0301\r\n"
           "kept\u200djoiner \U0001f469\u200d\U0001f4bb\n")
    want = ("No break narrow wide em vt ff\n"
            "zerowidthjoiner softhyphen bom\n"
            "trailing blanks\n"
            "   indented stays\n"
            "été Café\n"
            "kept\u200djoiner \U0001f469\u200d\U0001f4bb\n")
    assert clean_text(raw, RuleSet(())) == want


def test_normalisation_through_the_command(tmp_path):
    raw = "Caf\u00a0e\u0301\r\n\r\n\r\n\r\nsoft\u00adhyphen\u200b   \r\nlast line without LF"
    code, out, err = clean_file(tmp_path, raw.encode("utf-8"))
    assert (code, out.decode("utf-8"), err) == (0, "Caf é\n\nsofthyphen\nlast line without LF\n", "")


def test_empty_and_blank_inputs_give_empty_output(tmp_path):
    calls = [{"args": ("--no-builtin",), "stdin": data} for data in (b"", b"\n\n\r\n", b"  \t \n \n")]
    for code, out, err in run_cli_many(*calls):
        assert (code, out, err) == (0, b"", "")
