"""Rule files (TOML) -> validated `RuleSet`.

Every problem is reported as `path: rule ID: key: what is wrong` (a `RuleError`), so a user can
go straight to the line to fix; nothing here raises anything else for a bad file.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see record.py)
if TYPE_CHECKING:
    from typing import Any

from ..errors import RuleError, UsageError
from . import cache
from .model import ACTIONS, CUT_AFTER, CUT_BEFORE, DROP_BLOCK, BlockElement, Case, Rule, RuleSet, SitePack

_ID = re.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)+")
_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_LANG = re.compile(r"[a-z]{2,3}")

_TEXT_KEYS = ("summary", "why", "risk")
_RULE_KEYS = frozenset(
    ("id", "action", "pattern", "patterns", "block", "removes", "keeps", "cases", "languages",
     "sites", "case_sensitive", "max_gap", "min_chars_before", "include_marker") + _TEXT_KEYS
)
_SITE_KEYS = frozenset(("domain", "fingerprints", "min_fingerprints"))


def builtin_rules_dir() -> str:
    """The rules shipped with the package (copied into it by the wheel build), or, in a source
    checkout, the repository's `rules/` folder. (Paths here are strings: pathlib costs ~8 ms of
    imports on every call of the CLI.)"""
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    packaged = os.path.join(here, "builtin_rules")
    return packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(here), "rules")


def pattern_flags(case_sensitive: bool) -> int:
    import regex  # (imported where needed: it costs more than cleaning a page, and a run that
    # finds its rules in the cache and runs them on `re` never needs it)

    return regex.V0 | (0 if case_sensitive else regex.IGNORECASE)


def load_rules(
    paths: Iterable[str | os.PathLike] = (),
    *,
    builtin: bool = True,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> RuleSet:
    """Load the built-in rules (unless `builtin=False`) and every rule file or folder in `paths`,
    then keep the rules `select`ed by id prefix, minus the `ignore`d ones."""
    files: list[str] = []
    if builtin:
        files += _rule_files(builtin_rules_dir())
    for p in paths:
        path = os.path.normpath(os.fspath(p))
        if not os.path.exists(path):
            raise RuleError(path, None, None, "no such file or folder (check the --rules path)")
        files += _rule_files(path)
    rules: list[Rule] = []
    sites: list[SitePack] = []
    seen: dict[str, str] = {}
    for f in files:
        file_rules, site = load_file(f)
        for r in file_rules:
            if r.id in seen:
                raise RuleError(str(f), r.id, "id", f"already defined in {seen[r.id]} (ids must be unique)")
            seen[r.id] = str(f)
        rules += file_rules
        if site:
            sites.append(site)
    ruleset = RuleSet(tuple(rules), tuple(sites))
    select, ignore = tuple(select), tuple(ignore)
    for prefix in select + ignore:
        if not any(r.selected_by(prefix) for r in rules):
            raise UsageError(f"--select/--ignore {prefix}: no rule id starts with it (see `scrapeclean rules list`)")
    return ruleset.filtered(select, ignore) if (select or ignore) else ruleset


def _rule_files(path: str) -> list[str]:
    """A file itself; a folder's *.toml files at any depth, hidden files and folders left out,
    in path order (folder by folder, as pathlib sorts: rule order decides which rule names a
    removal)."""
    if not os.path.isdir(path):
        return [path]
    found = []
    for folder, subfolders, names in os.walk(path, followlinks=True):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        found += [os.path.join(folder, n) for n in names if n.endswith(".toml") and not n.startswith(".")]
    return sorted(found, key=lambda f: f.split(os.sep))


def load_file(path: str) -> tuple[list[Rule], SitePack | None]:
    """Parse and validate one rule file. A file whose exact content was loaded before comes
    from the cache (see cache.py): parsing and compiling every pattern to validate it is the
    slow part of start-up."""
    src = path
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise RuleError(src, None, None, f"cannot read: {e.strerror}") from None
    key = (cache.digest(raw), src)
    cached = cache.parsed_file(key)
    if cached is not None:
        return cached
    import tomllib  # only for files not in the cache

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise RuleError(src, None, None, f"TOML syntax error: {e}") from None
    except UnicodeDecodeError:
        raise RuleError(src, None, None, "not UTF-8 text (save rule files as UTF-8)") from None
    unknown = set(data) - {"rule", "site"}
    if unknown:
        raise RuleError(src, None, sorted(unknown)[0], "unknown top-level key (expected [[rule]] tables and an optional [site] table)")
    site = _site(src, data["site"]) if "site" in data else None
    tables = data.get("rule", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise RuleError(src, None, "rule", "must be an array of tables: write [[rule]]")
    result = ([_rule(src, t, site) for t in tables], site)
    cache.remember_parsed_file(key, result)
    return result


def _site(src: str, table: Any) -> SitePack:
    if not isinstance(table, dict):
        raise RuleError(src, None, "site", "must be a table: write [site]")
    for key in table:
        if key not in _SITE_KEYS:
            raise RuleError(src, None, f"site.{key}", f"unknown key (expected one of {', '.join(sorted(_SITE_KEYS))})")
    domain = table.get("domain")
    if not isinstance(domain, str) or not _DOMAIN.fullmatch(domain):
        raise RuleError(src, None, "site.domain", "must be a lower-case domain such as \"dw.com\"")
    prints = _strings(src, None, "site.fingerprints", table.get("fingerprints", []))
    for i, p in enumerate(prints):  # (few and small: always checked)
        _compile(src, None, f"site.fingerprints[{i}]", p, case_sensitive=False)
    least = table.get("min_fingerprints", 1)
    if not isinstance(least, int) or isinstance(least, bool) or least < 1:
        raise RuleError(src, None, "site.min_fingerprints", "must be a whole number >= 1")
    return SitePack(domain, tuple(prints), least, src)


def _rule(src: str, t: dict, site: SitePack | None) -> Rule:
    rid = t.get("id")
    if not isinstance(rid, str) or not _ID.fullmatch(rid):
        raise RuleError(src, rid if isinstance(rid, str) else None, "id",
                        "must be a dotted lower-case id such as \"media.video-fallback\"")
    for key in t:
        if key not in _RULE_KEYS:
            raise RuleError(src, rid, key, f"unknown key (expected one of {', '.join(sorted(_RULE_KEYS))})")
    action = t.get("action")
    if action not in ACTIONS:
        raise RuleError(src, rid, "action", f"unknown action {action!r} (expected one of {', '.join(ACTIONS)})")
    for key in _TEXT_KEYS:
        if not isinstance(t.get(key), str) or not t[key].strip():
            raise RuleError(src, rid, key, "missing: every rule says what it removes (summary), why it is furniture (why) and what it could wrongly remove (risk)")
    case_sensitive = _bool(src, rid, t, "case_sensitive", False)

    patterns: tuple[str, ...] = ()
    block: tuple[BlockElement, ...] = ()
    if action == DROP_BLOCK:
        if "pattern" in t or "patterns" in t:
            raise RuleError(src, rid, "pattern", "a drop-block rule lists its line patterns in `block`, not `pattern`")
        block = _block(src, rid, t.get("block"), case_sensitive)
    else:
        if "block" in t:
            raise RuleError(src, rid, "block", f"only drop-block rules have a block (this one is {action})")
        if ("pattern" in t) == ("patterns" in t):
            raise RuleError(src, rid, "pattern", "give exactly one of `pattern` (a string) or `patterns` (a list)")
        key = "pattern" if "pattern" in t else "patterns"
        raw = [t[key]] if key == "pattern" and isinstance(t[key], str) else t[key]
        patterns = tuple(_strings(src, rid, key, raw))
        if not patterns:
            raise RuleError(src, rid, key, "must not be empty")
        for i, p in enumerate(patterns):
            _compile(src, rid, f"{key}[{i}]" if key == "patterns" else key, p, case_sensitive)

    removes = tuple(_strings(src, rid, "removes", t.get("removes")))
    keeps = tuple(_strings(src, rid, "keeps", t.get("keeps")))
    if not removes:
        raise RuleError(src, rid, "removes", "missing: give at least one example line the rule removes")
    if not keeps:
        raise RuleError(src, rid, "keeps", "missing: give at least one example of article text the rule must keep")
    cases = _cases(src, rid, t.get("cases", []))
    languages = tuple(_strings(src, rid, "languages", t.get("languages", [])))
    for lang in languages:
        if not _LANG.fullmatch(lang):
            raise RuleError(src, rid, "languages", f"{lang!r} is not an ISO 639 code such as \"en\"")
    sites = tuple(_strings(src, rid, "sites", t.get("sites", [])))
    if site:
        sites = tuple(dict.fromkeys(sites + (site.domain,)))
    return Rule(
        id=rid, action=action, summary=t["summary"].strip(), why=t["why"].strip(), risk=t["risk"].strip(),
        source=src, patterns=patterns, block=block, removes=removes, keeps=keeps, cases=cases,
        languages=languages, sites=sites, case_sensitive=case_sensitive,
        max_gap=_int(src, rid, t, "max_gap", 1, action == DROP_BLOCK),
        min_chars_before=_int(src, rid, t, "min_chars_before", 300, action == CUT_AFTER),
        include_marker=_bool(src, rid, t, "include_marker", False, action == CUT_BEFORE),
    )


def _block(src: str, rid: str, raw: Any, case_sensitive: bool) -> tuple[BlockElement, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise RuleError(src, rid, "block", "must list at least two line patterns")
    out = []
    for i, el in enumerate(raw):
        key = f"block[{i}]"
        if isinstance(el, str):
            el = {"pattern": el}
        if not isinstance(el, dict) or set(el) - {"pattern", "optional"} or not isinstance(el.get("pattern"), str):
            raise RuleError(src, rid, key, "must be a pattern string or a table {pattern = \"...\", optional = true}")
        optional = el.get("optional", False)
        if not isinstance(optional, bool):
            raise RuleError(src, rid, f"{key}.optional", "must be true or false")
        _compile(src, rid, key, el["pattern"], case_sensitive)
        out.append(BlockElement(el["pattern"], optional))
    if all(e.optional for e in out):
        raise RuleError(src, rid, "block", "at least one element must be required")
    return tuple(out)


def _cases(src: str, rid: str, raw: Any) -> tuple[Case, ...]:
    if not isinstance(raw, list):
        raise RuleError(src, rid, "cases", "must be an array of tables: write [[rule.cases]]")
    out = []
    for i, c in enumerate(raw):
        if not isinstance(c, dict) or set(c) != {"input", "output"} or not all(isinstance(v, str) for v in c.values()):
            raise RuleError(src, rid, f"cases[{i}]", "must have exactly the string keys `input` and `output`")
        out.append(Case(c["input"], c["output"]))
    return tuple(out)


def _compile(src: str, rid: str | None, key: str, pattern: str, case_sensitive: bool) -> None:
    try:
        import regex

        compiled = regex.compile(pattern, pattern_flags(case_sensitive))
    except regex.error as e:
        raise RuleError(src, rid, key, f"pattern does not compile: {e}") from None
    if compiled.groupindex:
        raise RuleError(src, rid, key, "named groups are not allowed (rules are combined into one pattern); use (?:...)")


def _strings(src: str, rid: str | None, key: str, raw: Any) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise RuleError(src, rid, key, "must be a list of strings")
    return raw


def _bool(src: str, rid: str, t: dict, key: str, default: bool, allowed: bool = True) -> bool:
    if key not in t:
        return default
    if not allowed:
        raise RuleError(src, rid, key, f"does not apply to {t['action']} rules")
    if not isinstance(t[key], bool):
        raise RuleError(src, rid, key, "must be true or false")
    return t[key]


def _int(src: str, rid: str, t: dict, key: str, default: int, allowed: bool) -> int:
    if key not in t:
        return default
    if not allowed:
        raise RuleError(src, rid, key, f"does not apply to {t['action']} rules")
    v = t[key]
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise RuleError(src, rid, key, "must be a whole number >= 0")
    return v
