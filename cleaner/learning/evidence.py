"""Pass 2: for the keys that recur (the candidates from pass 1) and only for them, where and
next to what they occur, with a few real examples: what the guards in choose.py read and what
the rule file shows as evidence.

Per page (one page in memory, as its non-blank lines):

1. Every line is a *candidate* (its key, or its label's, recurs in the site) or not. Lines that
   go on with each other's sentence (a converter that puts each link on a line of its own cuts
   paragraphs so) are read together for their prose features, and are marked *inline*.
2. The page's *body*, where its own text is densest. Scores: a non-candidate sentence or
   paragraph with another one next to it (both list items or both not) scores its length;
   another non-candidate sentence, or line of BODY_WORDS words, nothing; another non-candidate
   line SHORT_COST; a candidate line CANDIDATE_COST (a recurring sentence nothing: a syndicated
   paragraph inside an article is bridged, not counted). Per stretch between hard breaks (a
   run of HARD_BREAK candidate lines that are not sentences: a menu, a share block), the
   maximum-sum run (Kadane); the body is the first of those that scores FIRST_SHARE of the
   best (a short article comes before a long list of teasers). A teaser's sentence stands
   alone between a headline and a byline, so a list of related stories does not extend it.
3. For each candidate: its page count (exact now), where it stands (top/middle/bottom third,
   in the body or just above it), what stands next to it (other candidates: a furniture run; a
   recurring paragraph: syndicated text), whether it stands inside a sentence of the body, the
   run of candidates it belongs to (its *anchor*: the run's first line, which families rules),
   its most frequent neighbours, a few raw examples, and non-candidate lines from around it
   (the rule's keep examples).
4. What each candidate would cut as a cut-after or cut-before marker (`_markers`).

Memory: one `Evidence` per candidate (counters, a few small tallies and at most MAX_EXAMPLES +
3 x MAX_KEEPS short strings), whatever the number of pages.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..stages.apply_rules import is_prose as engine_paragraph
from .keys import LineInfo, analyse, is_stop_word, prefix_key
from .pages import Line

BODY_WORDS = 8  # a non-candidate line this long counts as the page's own text
SHORT_COST = 15  # score of a shorter non-candidate line
CANDIDATE_COST = 60  # score of a candidate line
HARD_BREAK = 3  # this many candidate lines in a row end a body
STREAK_WORDS = 4  # a line this long (or a sentence) between candidate lines breaks their streak
FIRST_SHARE = 0.5  # the body is the first stretch scoring this share of the best one
NEAR_START = 3  # lines just above the body's start (a headline's place)
HEADLINE_BACK = 15  # the article starts at its headline: the farthest 3+ word own line up to here above the body
CUT_AFTER_CHARS = 300  # a cut-after marker only cuts below this much kept text (rule default)
CUT_BEFORE_LINES = 300  # a cut-before marker is only looked for in a page's first lines (engine)
MAX_EXAMPLES = 4
MAX_KEEPS = 6
KEEP_DISTANCE = 8  # keep examples are taken this close (non-blank lines) to an occurrence
KEEP_MAX_CHARS = 240


@dataclass
class Evidence:
    key: int
    tokens: tuple[str, ...]
    pages: int = 0
    multi: int = 0  # pages where it occurs more than once
    top: int = 0
    middle: int = 0
    bottom: int = 0
    in_body: int = 0
    near_start: int = 0  # just above the body
    outside: int = 0  # above or below the body, or no body on the page
    furniture_next: int = 0  # occurrences with a candidate next to them
    recurring_prose_next: int = 0  # ... with a recurring paragraph next to them, in the body or the page's middle
    inline: int = 0  # pages where it stands inside a sentence of the page's own text
    # pages where it stands beside an article of the page's own: the page has a body, its own
    # text there outweighs all the recurring paragraphs on the page (it is not a copy of
    # another page), and this line is neither in the body, just above it, nor in a sentence
    beside: int = 0
    above: Counter = field(default_factory=Counter)  # the key of the line above it -> pages
    below: Counter = field(default_factory=Counter)  # the key of the line below it -> pages
    examples: dict[str, str] = field(default_factory=dict)  # core -> raw line
    keeps: list[tuple[int, str]] = field(default_factory=list)  # (score, line)
    anchors: Counter = field(default_factory=Counter)  # first key of its candidate run
    position: float = 0.0  # sum of relative positions (for ordering rules)
    # As a footer marker (cut-after): pages where it would cut, the page's own text it would
    # cut inside the body (loss) and outside it (gain), the body's text on those pages, and the
    # pages where it would cut some of the body.
    after: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])  # pages, loss, gain, body, failed
    # As a header marker (cut-before): the same, above it.
    before: list[int] = field(default_factory=lambda: [0, 0, 0, 0, 0])

    @property
    def position_word(self) -> str:
        most = max(self.top, self.middle, self.bottom)
        if most == self.top:
            return "at the top"
        if most == self.bottom:
            return "at the bottom"
        return "in the middle"


@dataclass
class PageLine:
    line: Line
    key: int | None
    tokens: tuple[str, ...] | None
    candidate: bool
    words: int
    prose: bool  # reads as a sentence or paragraph
    paragraph: bool  # reads as a paragraph (keys.is_prose)
    listed: bool  # a list item (the dump marked it so): a link list's, not a paragraph
    full: bool = False  # its own key is a candidate (not only its label's)
    keys: list = field(default_factory=list)  # (digest, tokens) of its candidate keys
    inline: bool = False  # it goes on with the sentence above it, or the one below goes on with it


def body_span(lines: list[PageLine]) -> tuple[int, int] | None:
    """(first, last) index of the page's densest run of its own text, or None.

    First with paragraphs that have a paragraph next to them, both list items or both not (an
    article is a run of them; the teaser of a related story is a sentence between a headline
    and a byline, or after a listed headline); if that finds nothing (a one-paragraph page),
    with every paragraph."""
    n = len(lines)
    prose = [pl.prose and not pl.candidate for pl in lines]
    paired = [p and any(0 <= j < n and prose[j] and lines[j].listed == lines[i].listed for j in (i - 1, i + 1))
              for i, p in enumerate(prose)]
    return _densest(lines, paired) or _densest(lines, prose)


def _densest(lines: list[PageLine], counts: list[bool]) -> tuple[int, int] | None:
    """Per stretch between hard breaks, its maximum-sum run; of those, the first that scores
    at least FIRST_SHARE of the best (the article comes before the teasers)."""
    runs: list[tuple[int, tuple[int, int]]] = []  # (score, span) per stretch
    best, best_span = 0, None
    run, start = 0, 0
    streak = 0  # candidate lines in a row (short lines between them do not break a streak)
    for i, pl in enumerate(lines):
        if pl.candidate and not pl.prose:
            streak += 1
        elif pl.prose or pl.words >= STREAK_WORDS:
            streak = 0  # (short lines between recurring ones, "and on", do not end a streak)
        if streak >= HARD_BREAK:  # a menu or a share block: the article does not go on across it
            if best_span is not None:
                runs.append((best, best_span))
            best, best_span, run = 0, None, 0
            continue
        if pl.candidate:
            score = 0 if pl.prose else -CANDIDATE_COST  # recurring text (syndicated?) is bridged
        elif counts[i]:
            score = len(pl.line.core)
        elif (pl.prose or pl.words >= BODY_WORDS) and not pl.listed:
            score = 0
        else:
            score = -SHORT_COST
        if run <= 0:
            run, start = score, i
        else:
            run += score
        if run > best:
            best, best_span = run, (start, i)
    if best_span is not None:
        runs.append((best, best_span))
    if not runs:
        return None
    top = max(score for score, _ in runs)
    return next(span for score, span in runs if score >= FIRST_SHARE * top)


_ENDS_SENTENCE = tuple('.!?:;…"”’\')»|')
_CONTINUES = tuple(',.;:!?)]”’»…')


def continues(prev: str, line: str) -> bool:
    """Whether `line` goes on with the sentence `prev` left open: a converter that puts every
    link on a line of its own cuts paragraphs that way ("...according to" / "NBC News" / ".").
    It does when it starts in lower case or with punctuation that follows a word, or when
    `prev` ends in a word no sentence ends with ("the", "of", "to")."""
    if prev.endswith(_ENDS_SENTENCE):
        return False
    if line[:1].islower() or line.startswith(_CONTINUES):
        return True
    last = prev.rsplit(None, 1)[-1] if prev.strip() else ""
    return last.islower() and is_stop_word(last)


def classify(lines: list[Line], infos: list[LineInfo], candidates: set[int]) -> list[PageLine]:
    out = []
    for line, info in zip(lines, infos):
        key = info.key
        digest = key.digest if key is not None else None
        full = digest is not None and digest in candidates
        keys = [(digest, key.tokens)] if full else []
        label = prefix_key(line.core) if key is not None else None
        if label is not None and label.digest in candidates:
            keys.append((label.digest, label.tokens))
        out.append(PageLine(
            line, digest, key.tokens if key is not None else None,
            bool(keys), info.words, info.prose or info.sentence, info.prose,
            line.core != line.raw.strip(), full, keys,
        ))
    _join_fragments(out)
    return out


def _join_fragments(page: list[PageLine]) -> None:
    """Lines that go on with each other's sentence are read as one paragraph: the page's own
    lines among them take the paragraph's prose features (a recurring line among them keeps its
    own), and each line notes whether it stands inside such a sentence."""
    start = 0
    for i in range(1, len(page) + 1):
        if i < len(page) and continues(page[i - 1].line.core, page[i].line.core):
            page[i - 1].inline = page[i - 1].inline or i - 1 > start
            page[i].inline = True
            continue
        if i - start > 1:
            text = " ".join(pl.line.core for pl in page[start:i])
            info = analyse(text)
            for pl in page[start:i]:
                if not pl.candidate:
                    pl.prose, pl.paragraph = info.prose or info.sentence, info.prose
        start = i


def observe(page: list[PageLine], table: dict[int, Evidence]) -> None:
    """Add one page's evidence for its candidates to `table`. A page counts once per key; its
    place is judged over all of the key's occurrences on the page (in the body if any is)."""
    n = len(page)
    if not n:
        return
    span = body_span(page)
    _markers(page, span, table)
    own_page = span is not None and (
        sum(len(pl.line.core) for pl in page[span[0]:span[1] + 1] if not pl.candidate)
        > sum(len(pl.line.core) for pl in page if pl.candidate and pl.paragraph))
    flags: dict[int, list[int]] = {}  # key -> [occurrences, in body, near start, furniture next, recurring prose next, inline]
    anchor = None
    for i, pl in enumerate(page):
        if not pl.candidate:
            anchor = None
            continue
        if anchor is None:
            anchor = pl.keys[0][0]
        rel = i / max(1, n - 1)
        nexts = [page[j] for j in (i - 1, i + 1) if 0 <= j < n]
        for key, tokens in pl.keys:
            f = flags.get(key)
            first = f is None
            if first:
                f = flags[key] = [0, 0, 0, 0, 0, 0]
            f[0] += 1
            if span is not None and span[0] <= i <= span[1]:
                f[1] = 1
            elif span is not None and span[0] - NEAR_START <= i < span[0]:
                f[2] = 1
            if any(x.candidate for x in nexts):
                f[3] = 1
            if (f[1] or 1 / 3 <= rel <= 2 / 3) and any(x.candidate and x.paragraph for x in nexts):
                f[4] = 1  # in the article or the page's middle, next to a recurring paragraph: syndicated text
            if pl.inline and span is not None and span[0] - NEAR_START <= i <= span[1]:
                f[5] = 1  # inside a sentence of the article
            if not first:
                continue
            ev = table.get(key)
            if ev is None:
                ev = table[key] = Evidence(key, tokens)
            ev.position += rel
            if rel < 1 / 3:
                ev.top += 1
            elif rel > 2 / 3:
                ev.bottom += 1
            else:
                ev.middle += 1
            ev.anchors[anchor] += 1
            if len(ev.anchors) > 8:
                ev.anchors = Counter(dict(ev.anchors.most_common(4)))
            for counter, j in ((ev.above, i - 1), (ev.below, i + 1)):
                if 0 <= j < n and page[j].full:
                    counter[page[j].key] += 1
                    if len(counter) > 8:
                        counter_top = counter.most_common(4)
                        counter.clear()
                        counter.update(dict(counter_top))
            if len(ev.examples) < MAX_EXAMPLES and pl.line.core not in ev.examples:
                ev.examples[pl.line.core] = pl.line.raw
            if len(ev.keeps) < MAX_KEEPS * 3:
                _collect_keeps(ev, page, i, span)
    for key, (occurrences, in_body, near_start, furniture, syndicated, inline) in flags.items():
        ev = table[key]
        ev.pages += 1
        ev.multi += occurrences > 1
        ev.in_body += in_body
        ev.near_start += near_start and not in_body
        ev.outside += not in_body
        ev.furniture_next += furniture
        ev.recurring_prose_next += syndicated
        ev.inline += inline
        ev.beside += own_page and not (in_body or near_start or inline)


def _collect_keeps(ev: Evidence, page: list[PageLine], i: int, span: tuple[int, int] | None) -> None:
    """Non-candidate lines near an occurrence, and the first lines of the page's body, that
    read as article text: the body's lines first, then sentences, then lines that share a word
    with the learned line (near misses are the best keep examples)."""
    mine = set(ev.tokens)
    near = range(max(0, i - KEEP_DISTANCE), min(len(page), i + KEEP_DISTANCE + 1))
    first = range(span[0], min(span[0] + 3, span[1] + 1)) if span is not None else range(0)
    have = {t for _s, t in ev.keeps}
    for j in dict.fromkeys([*near, *first]):
        pl = page[j]
        if pl.candidate or pl.words < 3 or len(pl.line.core) > KEEP_MAX_CHARS:
            continue
        text = pl.line.core
        if text in have:
            continue
        in_body = span is not None and span[0] <= j <= span[1]
        score = 4 * in_body + 2 * pl.prose + (1 if pl.tokens and mine.intersection(pl.tokens) else 0)
        ev.keeps.append((score, text))
        have.add(text)
        if len(ev.keeps) >= MAX_KEEPS * 3:
            break


def _markers(page: list[PageLine], span: tuple[int, int] | None, table: dict[int, Evidence]) -> None:
    """What each candidate would do as a footer (cut-after) or header (cut-before) marker on this
    page: the page's own text (non-candidate lines) it would cut inside the article (loss) and
    outside it (gain).

    A cut-after fires at the first occurrence with CUT_AFTER_CHARS of kept text above it. What
    will be kept is not known yet, so both bounds are taken: the loss is counted from the first
    occurrence where *all* text above could be kept (it might fire there), the gain from the
    first where the page's own text above alone is enough (it surely fires there). A cut-before
    does nothing on a page where a paragraph stands above its marker (the engine's guard), and
    is counted so."""
    n = len(page)
    own = [0 if pl.candidate else len(pl.line.core) for pl in page]
    prefix, everything = [0], [0]
    for pl, c in zip(page, own):
        prefix.append(prefix[-1] + c)
        everything.append(everything[-1] + len(pl.line.core))
    total = prefix[-1]
    if span is None:
        start, end, body = n, n - 1, 0  # no body: a cut loses nothing, and gains what it removes
    else:
        start, end = span
        for j in range(span[0] - 1, max(-1, span[0] - 1 - HEADLINE_BACK), -1):
            if not page[j].candidate and page[j].words >= 3:
                start = j  # the article starts at its headline
        body = prefix[end + 1] - prefix[start]
    may_fire: dict[int, int] = {}
    fires: dict[int, int] = {}
    header: dict[int, int] = {}
    for i, pl in enumerate(page):
        if not pl.full or pl.prose:
            continue
        key = pl.key
        if key not in may_fire and everything[i] >= CUT_AFTER_CHARS:
            may_fire[key] = i
        if key not in fires and prefix[i] >= CUT_AFTER_CHARS:
            fires[key] = i
        if key not in header and pl.line.no <= CUT_BEFORE_LINES:
            header[key] = i
    for key, i in may_fire.items():
        a = table.setdefault(key, Evidence(key, page[i].tokens or ())).after
        loss = max(0, prefix[end + 1] - prefix[max(i + 1, start)]) if span is not None else 0
        sure = fires.get(key)
        a[0] += 1
        a[1] += loss
        a[2] += total - prefix[max(sure + 1, end + 1)] if sure is not None else 0
        a[3] += body
        a[4] += loss > 0
    first_paragraph = next((i for i, pl in enumerate(page) if not pl.candidate and engine_paragraph(pl.line.core)), n)
    for key, i in header.items():
        b = table.setdefault(key, Evidence(key, page[i].tokens or ())).before
        if i > first_paragraph:  # the engine does not cut a header with a paragraph in it
            b[0] += 1
            b[3] += body
            continue
        loss = max(0, prefix[min(i, end + 1)] - prefix[start]) if span is not None else 0
        b[0] += 1
        b[1] += loss
        b[2] += prefix[min(i, start)]
        b[3] += body
        b[4] += loss > 0
