"""What a rule is: plain frozen data, validated by `load`, compiled by `matcher`.

Named tuples rather than dataclasses: `import dataclasses` pulls in `inspect` (~25 ms with the
classes' generated code), paid by every `scrapeclean` call of a shell loop; a named tuple is
as immutable and costs a fraction of that."""
from __future__ import annotations

from ..record import record

DROP_LINE = "drop-line"
STRIP_SPAN = "strip-span"
DROP_BLOCK = "drop-block"
CUT_AFTER = "cut-after"
CUT_BEFORE = "cut-before"
ACTIONS = (DROP_LINE, STRIP_SPAN, DROP_BLOCK, CUT_AFTER, CUT_BEFORE)


@record
class BlockElement:
    pattern: str
    optional: bool = False


@record
class Case:
    """A whole-page example: `input` cleaned with only this rule gives `output`."""

    input: str
    output: str


@record
class Rule:
    id: str
    action: str
    summary: str
    why: str
    risk: str
    source: str  # the file it came from, for messages
    patterns: tuple[str, ...] = ()
    block: tuple[BlockElement, ...] = ()
    removes: tuple[str, ...] = ()
    keeps: tuple[str, ...] = ()
    cases: tuple[Case, ...] = ()
    languages: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    case_sensitive: bool = False
    max_gap: int = 1
    min_chars_before: int = 300
    include_marker: bool = False

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    def selected_by(self, prefix: str) -> bool:
        """`consent` selects `consent.cookie-notice`; a full id selects only itself."""
        return self.id == prefix or self.id.startswith(prefix.rstrip(".") + ".")


@record
class SitePack:
    """A `[site]` table: the rules of its file apply only to pages of this site."""

    domain: str
    fingerprints: tuple[str, ...]
    min_fingerprints: int
    source: str


class RuleSet:
    """The loaded rules and site packs; treat as read-only."""

    __slots__ = ("rules", "sites", "_compiled", "_prescreen")

    def __init__(self, rules: tuple[Rule, ...], sites: tuple[SitePack, ...] = ()) -> None:
        self.rules = rules
        self.sites = sites
        # Compiled matchers, one per (sites on, languages) combination met so far; built lazily
        # so that `rules list` and loading for validation pay nothing for compilation.
        self._compiled: dict = {}
        self._prescreen = None  # --engine fast: the screen of all these rules (pipeline.compiled_rules)

    def __repr__(self) -> str:
        return f"RuleSet({len(self.rules)} rules, {len(self.sites)} site packs)"

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def filtered(self, select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> RuleSet:
        """Keep rules whose id starts with a `select` prefix (all if none), minus `ignore`d ones."""
        kept = tuple(
            r
            for r in self.rules
            if (not select or any(r.selected_by(p) for p in select))
            and not any(r.selected_by(p) for p in ignore)
        )
        return RuleSet(kept, self.sites)

    def active(self, sites_on: frozenset[str], languages: tuple[str, ...]) -> tuple[Rule, ...]:
        """The rules that apply to a page of these sites and languages."""
        return tuple(
            r
            for r in self.rules
            if (not r.sites or sites_on.intersection(r.sites))
            and (not languages or not r.languages or set(languages).intersection(r.languages))
        )
