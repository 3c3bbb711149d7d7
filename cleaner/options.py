"""Every tunable of the pipeline in one frozen object, each default documented where it is set.

The CLI builds one `Options` from its flags; the Python API takes one as a keyword argument.
Nothing else in the package holds a tunable of its own.
"""
from __future__ import annotations

from .record import record


@record
class Options:
    """(A named tuple, not a dataclass: see rules/model.py. `options._replace(heuristics=False)`
    gives a changed copy.)"""

    # --encoding: decode with this codec instead of detecting one (None = detect).
    encoding: str | None = None

    # --site: "auto" turns a site pack on when its fingerprints are in the page's head,
    # "none" keeps all site packs off, a domain ("dw.com") forces that pack on.
    site: str = "auto"

    # --lang: when given, rules tagged with other languages are off (untagged rules stay on).
    languages: tuple[str, ...] = ()

    # Bytes read from the input at a time; also the sample the encoding is sniffed from.
    chunk_bytes: int = 1 << 16

    # A line longer than this (in characters) is passed through in pieces, untouched by rules:
    # furniture is never that long, and it keeps memory flat on one-line inputs of any size.
    max_line_chars: int = 1 << 16

    # How much of the page's head (characters) site fingerprints are looked for in.
    site_sniff_chars: int = 1 << 18

    # The heuristics stage (cleaner/stages/heuristics.py): after the rules, remove what no rule
    # names (menus, related-story lists, share and comment blocks, footers) by classifying lines
    # from their own features and their neighbours'. On by default; False (--no-heuristics)
    # keeps the rules' output as it is, for users who want only what rules name removed.
    heuristics: bool = True

    # Seconds one regex call may take before the rule is reported and skipped on that line
    # (a pattern that backtracks catastrophically must not hang a run).
    regex_timeout: float = 0.25

    # --engine: "default" runs the rules on Python's regex engines alone; "fast" first screens
    # each line with Hyperscan for whether any rule could touch it (the optional extra
    # `scrapeclean[fast]`; see rules/prescreen.py). The output is the same either way.
    engine: str = "default"
