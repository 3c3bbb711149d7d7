"""Which recurring lines become rules, and how they are gathered into rules.

A line (key) is learned when it occurs on at least `threshold` pages of its group
(max(min_pages, min_share x pages)) and passes every guard. The guards are what keeps article
text out, above all text that recurs because a story is syndicated or quoted on several pages:

1. PROSE: a paragraph (15+ words ending like a sentence, or full of stop words; 30+ words
   anyway) is not learned, however often it recurs, unless it is never in a page's body,
   never just above one and never inside one of its sentences, and stands *beside* the page's
   own article on BESIDE_SHARE of the pages it occurs on (evidence.py: the page has a body of
   its own text that outweighs all its recurring paragraphs): a sidebar teaser, a "best viewed
   with" notice, a blurb about the site. Syndicated or quoted text is in the article of the
   pages that carry it, and a page that copies another is mostly recurring text, so neither
   passes; the pages where it is not beside an article are pages with no article of their own
   (index pages), where it is not article text either.
   (Lines over LONG_CHARS characters are never learned: they are keyed without their words.)
2. SENTENCE: a shorter sentence ("Read the full story on our site.") is learned only where the
   article is not: outside the page's body on OUTSIDE_SHARE of its pages.
3. SYNDICATED: a line next to a recurring paragraph, in the body or the middle of the page, on
   SYNDICATED_SHARE of its pages stands in recurring running text (the headline or a
   subheading of a syndicated story): not learned, unless it stands beside the page's own
   article on every page (as in 1: the label of a sidebar of teasers).
4. TEASER: a headline-like line (HEADLINE_WORDS+ words) that is out of the body on most pages
   but in a body, or just above one, on some: the headline of a page of the crawl that other
   pages link to. Not learned (it would remove that page's own headline).
5. IN THE BODY: furniture inside the article ("Continue reading the main story") is learned
   when it stands in the body on most of its pages, only if it has IN_BODY_WORDS+ words and is
   not a sentence: a one-word line there is a subheading as likely as furniture.
6. SHORT: a line of one or two words ("Home", "Health") is learned only where furniture
   stands: next to other recurring lines, or outside the body, on FURNITURE_SHARE of its pages.
7. IN A SENTENCE: a line that, on some page, goes on with a sentence of the page's own text
   (a converter put a link of the article on a line of its own: "according to" / "NBC News" /
   "."), is not learned alone.

A line refused by 4 or 7 that stands among other recurring lines on CONTEXT_SHARE of its
pages (a menu item that is also a link in one article) is learned *in context*: a `drop-block`
of the line and the learned line that stands next to it on most pages, so it goes from the
menu and stays in the sentence.

Besides lines, a site's *edges* are learned: a `cut-after` marker (a recurring line below which
a page's own text is never article: related stories, comments, footers, which differ on every
page and so are not learned as lines) and a `cut-before` marker (above which it never is). A
marker must be furniture itself (guards 1-3 and 5-7), and is chosen by what it would have cut on
the pages learned from (evidence.py simulates the engine: where a cut-after fires given the
kept text above it, that a header cut never happens below a paragraph): a cut-after may cut
into the page's body on at most MARKER_FAILED_SHARE of its pages (rounded: one page in ten) and
MARKER_LOSS_SHARE of the body's text in all, a cut-before never; among the safe ones, the one
that cuts the most of the pages' own text outside the body wins. The rule engine's own guards
(kept text before a footer, no paragraph above a header, two paragraphs in a row end a cut)
stay on top.

Learned lines are gathered into one rule per *family*: the lines of one run of recurring lines
(same anchor: the run's first line on most pages), such as the top menu or the footer; lines
that form no run of their own are gathered by where they stand (top, middle, bottom). A family
rule is a `drop-line` with one pattern per line, its summary naming a few of them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from .evidence import Evidence
from .keys import LONG, MONTH, NUM, PREFIX, PROSE_WORDS, UNIT, WEEKDAY, is_prose, is_sentence, pattern_for

OUTSIDE_SHARE = 0.9  # 2: a sentence is learned if outside the body on this share of its pages
SYNDICATED_SHARE = 0.3  # 3
# 1, 3: three pages in four that carry it have a larger article of their own that it is not
# part of. Not every page: a site's index pages have no article, and carry its sidebars too.
BESIDE_SHARE = 0.75
HEADLINE_WORDS = 4  # 4: a line this long can be another page's headline
TEASER_MAX_SHARE = 0.1  # 4: ... when in or just above a body on at most this share of its pages
IN_BODY_SHARE = 0.5  # 5
IN_BODY_WORDS = 3  # 5
FURNITURE_SHARE = 0.5  # 6
CONTEXT_SHARE = 0.9
CONTEXT_REASONS = ("teaser", "in a sentence")
MARKER_VERDICTS = (None, "short line in the body", "short line away from furniture", "teaser")
MARKER_FAILED_SHARE = 0.05
MARKER_LOSS_SHARE = 0.02
MIN_MARKER_GAIN = 200  # characters a marker must cut on the pages in all to be worth a rule
MAX_PATTERNS_PER_RULE = 80  # a longer family is split into several rules


@dataclass
class Learned:
    ev: Evidence
    pattern: str
    example: str  # a raw line it removes


@dataclass
class Marker:
    action: str  # "cut-after" or "cut-before"
    item: Learned
    stats: list[int]  # Evidence.after / .before: pages, loss, gain, body, failed


@dataclass
class InContext:
    """A line learned with its neighbour: a drop-block of the two, in page order."""

    item: Learned
    neighbour: Learned
    above: bool  # the neighbour stands above the line
    pages: int  # pages where the two stand together


@dataclass
class Family:
    anchor: int
    members: list[Learned] = field(default_factory=list)

    @property
    def position(self) -> float:
        return min(m.ev.position / max(1, m.ev.pages) for m in self.members)


def verdict(ev: Evidence, threshold: int) -> str | None:
    """None when the line is learned, else the guard that refuses it."""
    if ev.pages < threshold:
        return "rare"
    if ev.tokens == LONG:
        return "prose"
    core = next(iter(ev.examples), "")
    label = ev.tokens[:1] == (PREFIX,)
    n = len(ev.tokens) - label  # a label's words
    if label and len(ev.examples) < 2:
        return "one line"  # the same line on every page: learned as a line, if at all
    pages = ev.pages
    beside = ev.beside >= BESIDE_SHARE * pages and not (ev.in_body or ev.near_start or ev.inline)
    if (any(is_prose(c) for c in ev.examples) or n >= PROSE_WORDS * 2) and not beside:
        return "prose"
    if ev.recurring_prose_next >= SYNDICATED_SHARE * pages and not beside:
        return "syndicated"
    if any(is_sentence(c) for c in ev.examples) and ev.outside < OUTSIDE_SHARE * pages:
        return "sentence in the body"
    if label and any(is_sentence(c) for c in ev.examples):
        return "label of a sentence"
    inside = ev.in_body + ev.near_start
    if ev.inline:
        return "in a sentence"
    if (n >= HEADLINE_WORDS and 0 < inside <= max(1, TEASER_MAX_SHARE * pages) and ev.multi <= TEASER_MAX_SHARE * pages
            and not _dateline(ev.tokens)):
        return "teaser"
    if ev.in_body >= IN_BODY_SHARE * pages and n < IN_BODY_WORDS:
        return "short line in the body"
    if n <= 2 and max(ev.furniture_next, ev.outside) < FURNITURE_SHARE * pages:
        return "short line away from furniture"
    return None


def marker(table: dict[int, Evidence], threshold: int, action: str, untouched: Callable[[str], bool]) -> Marker | None:
    """The best footer (`cut-after`) or header (`cut-before`) marker, if one is safe."""
    best = None
    for ev in table.values():
        stats = ev.after if action == "cut-after" else ev.before
        pages, loss, gain, body, failed = stats
        if pages < threshold or ev.pages < threshold or gain < MIN_MARKER_GAIN or not ev.examples or ev.tokens == LONG:
            continue
        if action == "cut-before" and (failed or loss):
            continue  # a header cut that goes wrong takes the article's start: never allowed
        if failed > math.floor(MARKER_FAILED_SHARE * pages + 0.5) or loss > MARKER_LOSS_SHARE * body:
            continue
        core = next(iter(ev.examples))
        if is_prose(core) or is_sentence(core) or (action == "cut-before" and not untouched(core)):
            continue
        if verdict(ev, threshold) not in MARKER_VERDICTS:
            continue  # a marker must be furniture itself (not syndicated text, a teaser, a link in a sentence)
        rank = (gain, pages, -len(core))
        if best is None or rank > best[0]:
            best = (rank, ev, stats)
    if best is None:
        return None
    ev = best[1]
    return Marker(action, Learned(ev, pattern_for(ev.tokens, list(ev.examples)), next(iter(ev.examples.values()))), best[2])


def _dateline(tokens: tuple[str, ...]) -> bool:
    """A date or time line ("17 February 2013 Last updated at 22:15 GMT"): it stands above the
    article on every page, which is not what the teaser guard looks for."""
    return any(t in (MONTH, WEEKDAY, UNIT) for t in tokens) or sum(t == NUM for t in tokens) >= 2


@dataclass
class Choice:
    families: list[Family]  # drop-line rules, in page order
    markers: list[Marker]  # cut-before / cut-after
    in_context: list[InContext]  # drop-block rules
    refused: dict[str, int]  # how many recurring lines each guard refused


def choose(table: dict[int, Evidence], threshold: int, untouched: Callable[[str], bool] = lambda core: True) -> Choice:
    """Decide what one site's evidence becomes. `untouched(core)` says whether the other rules
    (the built-in ones) leave a line alone: a line they remove already is not learned again,
    and a header marker must be left alone to be found (a cut-before marker is only looked for
    among kept lines; a cut-after marker is seen even when another rule drops it)."""
    refused: dict[str, int] = {}
    learned: dict[int, Learned] = {}
    context: list[Evidence] = []
    markers = [m for m in (marker(table, threshold, "cut-before", untouched),
                           marker(table, threshold, "cut-after", untouched)) if m is not None]
    header = {m.item.ev.key for m in markers if m.action == "cut-before"}  # must stay to be found
    for ev in table.values():
        if ev.key in header:
            continue
        why = verdict(ev, threshold)
        if why is None and not untouched(next(iter(ev.examples))):
            why = "removed by the built-in rules already"
        if why in CONTEXT_REASONS and ev.furniture_next >= CONTEXT_SHARE * ev.pages:
            context.append(ev)
            continue
        if why is not None:
            refused[why] = refused.get(why, 0) + 1
            continue
        learned[ev.key] = _learned(ev)
    in_context = []
    for ev in context:
        pair = _neighbour(ev, learned, threshold)
        if pair is None:
            refused["in a sentence or a teaser, alone"] = refused.get("in a sentence or a teaser, alone", 0) + 1
        else:
            in_context.append(pair)
    in_context.sort(key=lambda c: c.item.ev.position / max(1, c.item.ev.pages))
    return Choice(_families(learned), markers, in_context, refused)


def _learned(ev: Evidence) -> Learned:
    return Learned(ev, pattern_for(ev.tokens, list(ev.examples)), next(iter(ev.examples.values())))


def _neighbour(ev: Evidence, learned: dict[int, Learned], threshold: int) -> InContext | None:
    """The learned line that stands next to this one on the most pages (at least `threshold`)."""
    best = None
    for counter, above in ((ev.above, True), (ev.below, False)):
        for key, pages in counter.items():
            if key in learned and pages >= threshold and (best is None or pages > best.pages):
                best = InContext(_learned(ev), learned[key], above, pages)
    return best


def _families(learned: dict[int, Learned]) -> list[Family]:
    families: dict[int, Family] = {}
    for key, item in learned.items():
        anchor = _family_anchor(item.ev, learned)
        families.setdefault(anchor, Family(anchor)).members.append(item)
    # lines that belong to no run of their own are gathered by where they stand
    zones: dict[str, Family] = {}
    for anchor in [a for a, f in families.items() if len(f.members) == 1]:
        item = families.pop(anchor).members[0]
        zone = item.ev.position_word
        zones.setdefault(zone, Family(anchor)).members.append(item)
    for fam in zones.values():
        families[fam.anchor] = fam
    out = []
    for fam in families.values():
        fam.members.sort(key=lambda m: (m.ev.position / max(1, m.ev.pages), m.pattern))
        # a very long family is split so that each rule stays readable
        for i in range(0, len(fam.members), MAX_PATTERNS_PER_RULE):
            out.append(Family(fam.anchor, fam.members[i : i + MAX_PATTERNS_PER_RULE]))
    out.sort(key=lambda f: f.position)
    return out


def _family_anchor(ev: Evidence, learned: dict[int, Learned]) -> int:
    """The run a line belongs to on most pages, named by the run's first line; a run whose
    first line was not learned is named by the line itself."""
    for anchor, _n in ev.anchors.most_common():
        if anchor in learned:
            return anchor
    return ev.key
