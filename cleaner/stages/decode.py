"""Bytes -> text chunks, with the encoding decided once, from the start of the input.

Order of decisions: a byte-order mark wins; then `--encoding` if given; then strict UTF-8 (cheap
and almost always right); only when that fails, chardet on a capped sample (imported only on
that path: it is slow to import). Input with NUL bytes or many control bytes and no BOM is
refused as binary.

When the input can be rewound (a regular file, `< file` on stdin) the whole of it is checked
against the chosen encoding before any text is produced, so a bad byte far into a file is an
error up front and never a half-written output. A pipe cannot be rewound: its encoding is
decided from the first chunk, and a later undecodable byte becomes U+FFFD with one warning.
"""
from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see record.py)
if TYPE_CHECKING:
    from typing import BinaryIO

from ..errors import InputError, UsageError

_BOMS = (  # longest first: the UTF-32-LE mark starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control bytes that never occur in text (tab, newlines, form feed and escape do).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_CHARDET_SAMPLE = 1 << 16
_replaced = [0]  # bytes replaced so far by the handler below (U+FFFD already in the text is not counted)


def _replace_and_count(err: UnicodeDecodeError) -> tuple[str, int]:
    _replaced[0] += 1
    return "\ufffd", err.end


codecs.register_error("scrapeclean.replace", _replace_and_count)


def check_encoding_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UsageError(f"--encoding {name}: unknown encoding (try utf-8, cp1252, latin-1, shift_jis, ...)") from None


def decode(
    stream: BinaryIO,
    name: str,
    encoding: str | None = None,
    chunk_bytes: int = 1 << 16,
    warn: Callable[[str], None] | None = None,
) -> tuple[str, Iterator[str]]:
    """-> (encoding used, iterator of decoded text chunks). Raises InputError up front for
    binary input, an undetectable encoding, or (rewindable input) bytes the encoding rejects."""
    rewindable = _rewindable(stream)  # asked before reading: tell() must still be at the start
    first = _read(stream, name, chunk_bytes)
    codec = _choose(first, name, encoding)
    if rewindable:
        _check_all(stream, first, name, codec, chunk_bytes)
        stream.seek(0)
        first = _read(stream, name, chunk_bytes)
        return codec, _chunks(stream, first, name, codec, chunk_bytes, "strict", warn)
    return codec, _chunks(stream, first, name, codec, chunk_bytes, "scrapeclean.replace", warn)


def _choose(first: bytes, name: str, encoding: str | None) -> str:
    for bom, codec in _BOMS:
        if first.startswith(bom):
            return codec
    if encoding:
        return check_encoding_name(encoding)
    _refuse_binary(first, name)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(first, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    import chardet  # only here: importing it costs more than cleaning a page

    # chardet's confidence is low even when it is right (0.2 for plain Latin-1 German), so it is
    # not used as a gate: the guess is checked instead - a rewindable input must decode whole
    # with it (else an error asks for --encoding), a pipe gets U+FFFD and a warning.
    codec = chardet.detect(first[:_CHARDET_SAMPLE]).get("encoding")
    if not codec:
        raise InputError(f"{name}: not UTF-8, and the encoding cannot be told from the text; pass --encoding (e.g. --encoding cp1252)")
    try:
        return codecs.lookup(codec).name
    except LookupError:
        raise InputError(f"{name}: detected encoding {codec} is unknown to Python; pass --encoding") from None


def _refuse_binary(first: bytes, name: str) -> None:
    nul = first.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{name}: binary input (NUL byte at offset {nul}), not a text dump; if it is UTF-16 or UTF-32 text without a byte-order mark, pass --encoding")
    if first and len(first) - len(first.translate(None, _CONTROL)) > len(first) // 100:
        raise InputError(f"{name}: binary input (over 1% control bytes), not a text dump; pass --encoding if it really is text")


def _check_all(stream: BinaryIO, first: bytes, name: str, codec: str, chunk_bytes: int) -> None:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    offset, data = 0, first
    try:
        while data:
            decoder.decode(data)
            offset += len(data)
            data = _read(stream, name, chunk_bytes)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as e:
        where = offset + e.start if data else offset
        raise InputError(f"{name}: not valid {codec} (byte {where}); pass the right --encoding") from None
    except UnicodeError as e:  # e.g. UTF-16 without a byte-order mark
        hint = " (no byte-order mark: try utf-16-le or utf-16-be)" if "BOM" in str(e) else ""
        raise InputError(f"{name}: not valid {codec}: {e}{hint}; pass the right --encoding") from None


def _chunks(stream, first, name, codec, chunk_bytes, errors, warn) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)(errors)
    data, before = first, _replaced[0]
    try:
        while data:
            text = decoder.decode(data)
            if text:
                yield text
            data = _read(stream, name, chunk_bytes)
        tail = decoder.decode(b"", final=True)
    except UnicodeError as e:  # a codec that fails in its own way (UTF-16 without BOM on a pipe)
        raise InputError(f"{name}: not valid {codec}: {e}; pass the right --encoding") from None
    if tail:
        yield tail
    if _replaced[0] > before and warn:
        warn(f"{name}: input is not all valid {codec}; replacement characters (U+FFFD) now stand where bytes could not be decoded - pass --encoding if this is wrong")


def _read(stream: BinaryIO, name: str, size: int) -> bytes:
    try:
        return stream.read(size)
    except OSError as e:
        raise InputError(f"{name}: cannot read: {e.strerror or e}") from None


def _rewindable(stream: BinaryIO) -> bool:
    try:
        return stream.seekable() and stream.tell() == 0
    except (OSError, ValueError):
        return False
