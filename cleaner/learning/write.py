"""What was learned -> an ordinary rule file (docs/rule-format.md), checked before it is written.

- each family of lines becomes one `drop-line` rule `learned.<site>.<n>`, one pattern per line,
  each pattern followed by a comment giving its evidence (`# 28/30 pages`);
- each line learned in context becomes a `drop-block` rule `learned.<site>.with-<n>` (the line
  and its neighbour), with a whole-page case showing the two going together;
- the edge markers become `learned.<site>.footer` (`cut-after`) and `learned.<site>.header`
  (`cut-before`, marker included);
- every rule says where it came from (`summary`, `why`: on how many pages, where), what it
  could wrongly remove (`risk`), and carries the lines it was learned from as `removes` and
  lines of the pages' own text from around them as `keeps`.

A file for one site may start with a `[site]` table whose fingerprints are the site's most
constant learned lines, so its rules switch on by themselves (`--site auto`) on that site's
pages only.

The text is then loaded with the built-in rules and run through the rules' own example test
(`cleaner.ruletest.check_rules`, as `scrapeclean rules test` does): a keep example some rule
would change is replaced by another, a pattern whose example it does not remove is dropped, a
rule still failing after that is left out. So the file written always loads and passes.
"""
from __future__ import annotations

import dataclasses
import itertools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..rules.load import load_rules
from ..ruletest import check_rules
from .choose import Choice, Family, InContext, Marker
from .groups import slug

MAX_KEEPS = 3
MAX_SUMMARY_ITEMS = 4
FINGERPRINTS = 4


@dataclass
class RuleDraft:
    id: str
    action: str
    summary: str
    why: str
    risk: str
    patterns: list[str]
    notes: list[str]  # one evidence comment per pattern
    removes: list[str]
    keeps: list[str]
    spare_keeps: list[str] = field(default_factory=list)
    include_marker: bool = False
    block: list[str] = field(default_factory=list)  # drop-block: the element patterns
    cases: list[tuple[str, str]] = field(default_factory=list)  # (input, output)


@dataclass
class SiteDraft:
    domain: str
    fingerprints: list[str]


@dataclass
class GroupResult:
    """One group's learning: what `learn` reports and writes."""

    name: str
    pages: int
    threshold: int
    choice: Choice
    rules: list[RuleDraft] = field(default_factory=list)


def drafts(group: GroupResult) -> list[RuleDraft]:
    site = slug(group.name)
    choice = group.choice
    pool = _keep_pool(choice.families, choice.markers)
    out = []
    for n, fam in enumerate(choice.families, 1):
        members = fam.members
        pages = [m.ev.pages for m in members]
        where = _majority(m.ev.position_word for m in members)
        names = ", ".join(repr(next(iter(m.ev.examples))) for m in members[:MAX_SUMMARY_ITEMS])
        more = f" and {len(members) - MAX_SUMMARY_ITEMS} more" if len(members) > MAX_SUMMARY_ITEMS else ""
        what = "one line" if len(members) == 1 else f"{len(members)} lines"
        span = f"{min(pages)}" if min(pages) == max(pages) else f"{min(pages)} to {max(pages)}"
        short = sum(1 for m in members if len(m.ev.tokens) <= 2)
        risk = ("An article line that is exactly one of these lines is removed too"
                + (", most likely one of the short ones as a subheading" if short else "")
                + ". Learned from the pages, not written by a person: review it before keeping it.")
        keeps = _keeps(members, pool)
        out.append(RuleDraft(
            id=f"learned.{site}.{n}",
            action="drop-line",
            summary=f"Site furniture of {group.name} {where} of its pages: {what} ({names}{more}).",
            why=(f"{'Each line recurs' if len(members) > 1 else 'It recurs'} on {span} of the {group.pages} pages of "
                 f"{group.name} learned from, {where} of the page"
                 + (", among other recurring lines" if _mostly((m.ev.furniture_next, m.ev.pages) for m in members) else "")
                 + ": menus, footers and link lists repeat on every page of a site, article text does not."),
            risk=risk,
            patterns=[m.pattern for m in members],
            notes=[f"{m.ev.pages}/{group.pages} pages" + (f", {len(m.ev.examples)} variants" if len(m.ev.examples) > 1 else "")
                   for m in members],
            removes=[m.example for m in members],
            keeps=keeps[:MAX_KEEPS],
            spare_keeps=keeps[MAX_KEEPS:] + [k for k in pool if k not in keeps],
        ))
    for n, c in enumerate(choice.in_context, 1):
        out.append(_context_draft(group, site, n, c, pool))
    for m in choice.markers:
        out.append(_marker_draft(group, site, m, pool))
    return out


def _context_draft(group: GroupResult, site: str, n: int, c: InContext, pool: list[str]) -> RuleDraft:
    line = next(iter(c.item.ev.examples))
    other = next(iter(c.neighbour.ev.examples))
    where = "above" if c.above else "below"
    pair = [c.neighbour, c.item] if c.above else [c.item, c.neighbour]
    sample = "\n".join(m.example for m in pair) + "\n"
    keeps = [line] + [k for k in _keeps([c.item], pool) if k != line]
    return RuleDraft(
        id=f"learned.{site}.with-{n}",
        action="drop-block",
        summary=f"The line {line!r} of {group.name} pages where it stands with {other!r} ({where} it), as in the site's menus.",
        why=(f"It recurs on {c.item.ev.pages} of the {group.pages} pages, among other recurring lines, on {c.pages} of them "
             f"with {other!r} {where} it; but on {_own(c.item.ev)} it is part of the page's own text "
             "(a link inside a sentence, or another page's headline), so it only goes together with its neighbour."),
        risk=("The same two lines next to each other inside an article would go too (unlikely). "
              "Learned from the pages, not written by a person: review it before keeping it."),
        patterns=[], notes=[], block=[m.pattern for m in pair],
        removes=[sample.rstrip("\n")], keeps=keeps[:MAX_KEEPS],
        spare_keeps=keeps[MAX_KEEPS:] + [k for k in pool if k not in keeps],
        cases=[(sample, "")],
    )


def _marker_draft(group: GroupResult, site: str, m: Marker, pool: list[str]) -> RuleDraft:
    pages, _loss, gain, _body, failed = m.stats
    ev = m.item.ev
    line = m.item.example.strip()
    ok = pages - failed
    if m.action == "cut-after":
        what = (f"The bottom of {group.name} pages, from the line {line!r} to the end: related stories, "
                "link lists and footers, which differ from page to page.")
        why = (f"On {ok} of the {pages} pages of {group.name} it occurs on, all of the page's own text stands above "
               f"this line; below it, no line recurs often enough to be learned one by one ({gain} characters of "
               "such text in all)." + (f" On {ev.multi} pages it occurs more than once; the cut starts at the first one "
                                      "below 300 characters of kept text." if ev.multi else " It occurs once per page."))
        risk = ("A page whose article goes on below this line loses the rest of it (the cut stops at two "
                "paragraphs in a row, and only starts below 300 characters of kept text).")
    else:
        what = (f"The top of {group.name} pages, down to and including the line {line!r}: the title line, "
                "menus and the like.")
        why = (f"On {ok} of the {pages} pages of {group.name} it occurs on, all of the page's own text stands below "
               f"this line ({gain} characters above it in all, none of them the article's)."
               + (f" On {ev.multi} pages it occurs more than once; the cut is at the first one." if ev.multi else " It occurs once per page."))
        risk = ("A page whose article starts above this line loses its beginning (never a paragraph: the cut "
                "does not happen when a paragraph stands above the line).")
    keeps = _keeps([m.item], pool)
    return RuleDraft(
        id=f"learned.{site}.{'footer' if m.action == 'cut-after' else 'header'}",
        action=m.action, summary=what, why=why,
        risk=risk + " Learned from the pages, not written by a person: review it before keeping it.",
        patterns=[m.item.pattern], notes=[f"{pages}/{group.pages} pages"], removes=[m.item.example],
        keeps=keeps[:MAX_KEEPS], spare_keeps=keeps[MAX_KEEPS:] + [k for k in pool if k not in keeps],
        include_marker=m.action == "cut-before",
    )


def _own(ev) -> str:
    n = ev.inline or ev.in_body + ev.near_start
    return f"{n} page{'s' if n != 1 else ''}" if n else "some pages"


def _majority(words) -> str:
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return max(counts, key=counts.get) if counts else "on"


def _mostly(pairs) -> bool:
    """Whether, over all members, most occurrences had a recurring line next to them."""
    pairs = list(pairs)
    return sum(a for a, _ in pairs) * 2 >= sum(b for _, b in pairs) > 0


def _keeps(members, pool: list[str]) -> list[str]:
    scored: dict[str, int] = {}
    for m in members:
        for score, text in m.ev.keeps:
            scored[text] = max(scored.get(text, -1), score)
    ranked = sorted(scored, key=lambda t: (-scored[t], len(t), t))
    return ranked or pool[:MAX_KEEPS]


def _keep_pool(families: list[Family], markers: list[Marker]) -> list[str]:
    """Every keep candidate of the group, prose first: the fallback for a rule whose own
    candidates all fail."""
    scored: dict[str, int] = {}
    for evs in [[m.ev for m in fam.members] for fam in families] + [[m.item.ev for m in markers]]:
        for ev in evs:
            for score, text in ev.keeps:
                scored[text] = max(scored.get(text, -1), score)
    return sorted(scored, key=lambda t: (-scored[t], len(t), t))[:40]


def site_draft(group: GroupResult) -> SiteDraft | None:
    """A [site] table from the group's most constant learned lines (on 80% of its pages), if it
    has at least two such lines."""
    members = [m for fam in group.choice.families for m in fam.members
               if m.ev.pages >= 0.8 * group.pages and len(m.ev.tokens) >= 2
               and not any(t == "0" or t.startswith("<") for t in m.ev.tokens)]
    # the most constant first, then those nearest the top (site detection reads a page's head)
    members.sort(key=lambda m: (-m.ev.pages, m.ev.position / max(1, m.ev.pages), -len(m.ev.tokens), m.pattern))
    prints = [rf"^[^\w\n]*(?:\d{{1,4}}[.)] )?{m.pattern}[^\w\n]*$" for m in members[:FINGERPRINTS]]
    if len(prints) < 2:
        return None
    name = group.name.lower()
    domain = name if "." in name and slug(name).replace("-", "") and all(p for p in name.split(".")) \
        and all(c.isalnum() or c in ".-" for c in name) else f"{slug(name)}.learned"
    return SiteDraft(domain, prints)


# --- TOML ------------------------------------------------------------------------------------

def toml_string(s: str) -> str:
    if "'" not in s and not any(ord(c) < 32 or c == "\x7f" for c in s):
        return f"'{s}'"
    out = []
    for c in s:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 32 or c == "\x7f":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _basic(s: str) -> str:
    """Prose fields as basic strings (they hold quotes and apostrophes)."""
    return f'"{_escape_basic(s)}"'


def _escape_basic(s: str) -> str:
    return "".join("\\\\" if c == "\\" else '\\"' if c == '"' else f"\\u{ord(c):04x}" if ord(c) < 32 else c for c in s)


def render(rules: list[RuleDraft], site: SiteDraft | None, header: list[str]) -> str:
    out = [f"# {h}" if h else "#" for h in header]
    out.append("")
    if site is not None:
        out += ["[site]", f"domain = {toml_string(site.domain)}",
                "# the site's most constant learned lines: two of them in a page switch these rules on",
                "fingerprints = ["] + [f"  {toml_string(p)}," for p in site.fingerprints] + ["]", "min_fingerprints = 2", ""]
    for r in rules:
        out += [
            "[[rule]]",
            f"id = {toml_string(r.id)}",
            f"action = {toml_string(r.action)}",
            f"summary = {_basic(r.summary)}",
            f"why = {_basic(r.why)}",
            f"risk = {_basic(r.risk)}",
        ]
        if r.block:
            out += ["block = ["] + [f"  {toml_string(p)}," for p in r.block] + ["]"]
        else:
            width = max(len(toml_string(p)) for p in r.patterns) + 1
            out += ["patterns = ["] + [f"  {toml_string(p) + ',':<{width}}  # {note}" for p, note in zip(r.patterns, r.notes)] + ["]"]
        out += ["removes = ["] + [f"  {toml_string(x)}," for x in r.removes] + ["]"]
        out += ["keeps = ["] + [f"  {toml_string(x)}," for x in r.keeps] + ["]"]
        if r.include_marker:
            out.append("include_marker = true")
        for given, expected in r.cases:
            out += ["[[rule.cases]]", f"input = {toml_string(given)}", f"output = {toml_string(expected)}"]
        out.append("")
    return "\n".join(out)


def checked(rules: list[RuleDraft], site: SiteDraft | None, header: list[str], builtin: bool = True) -> tuple[str, list[RuleDraft]]:
    """Render, load and test the rules; repair what fails (see the module docstring).
    -> (the file's text, the rules it holds)."""
    rules = [dataclasses.replace(r) for r in rules]
    for attempt in itertools.count():  # ends: from attempt 4 on, every failing round drops a rule
        rules = [r for r in rules if (r.patterns or r.block) and r.removes and r.keeps]
        text = render(rules, site, header)
        if not rules:
            return text, rules
        with tempfile.TemporaryDirectory(prefix="scrapeclean-learn-") as tmp:
            path = Path(tmp) / "learned.toml"
            path.write_text(text, encoding="utf-8")
            loaded = load_rules([path], builtin=builtin)
            mine = [r for r in loaded.rules if r.source == str(path)]
            failures = check_rules(mine, loaded)
        if not failures:
            return text, rules
        if attempt >= 4:  # still failing after repairs: leave those rules out
            failed = {f.rule.id for f in failures}
            rules = [r for r in rules if r.id not in failed]
            continue
        by_id = {r.id: r for r in rules}
        for f in failures:
            draft = by_id[f.rule.id]
            kind, _, index = f.key.partition("[")
            i = int(index.rstrip("]"))
            if kind == "keeps" and i < len(draft.keeps):
                draft.keeps[i] = ""
            elif kind == "removes" and i < len(draft.removes):
                draft.removes[i] = ""
            elif kind == "cases":
                draft.cases = []
        for draft in rules:
            keep = [i for i, x in enumerate(draft.removes) if x]
            if not draft.block:  # one pattern per example: a pattern whose example fails goes
                draft.patterns = [draft.patterns[i] for i in keep]
                draft.notes = [draft.notes[i] for i in keep]
            draft.removes = [draft.removes[i] for i in keep]
            bad = MAX_KEEPS - len([k for k in draft.keeps if k])
            draft.keeps = [k for k in draft.keeps if k]
            while bad > 0 and draft.spare_keeps:
                k = draft.spare_keeps.pop(0)
                if k not in draft.keeps:
                    draft.keeps.append(k)
                    bad -= 1
    raise AssertionError("unreachable")
