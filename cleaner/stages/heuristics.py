"""The lines the rules kept -> the article: removes the furniture no rule names (menus,
related-story lists, share and newsletter blocks, comment threads, legal footers) from what the
lines look like and where they stand.

Why a second stage: rules remove *known* furniture, word for word. On a site nobody wrote rules
for, most furniture is left. It still has a shape, and the article has another one:

- the article is prose: long lines full of the page language's stop words ("the", "of", "und",
  "que"...), ending in sentence punctuation; furniture is short, or Title Case, or a list item,
  or a date, or a repeat, or has no words at all (the jusText observation, measured per block);
- the article is *one dense run* of such prose; furniture comes in runs (a menu is twenty short
  items in a row); the teaser of a related story or a comment also reads as prose, but stands
  alone between headlines, bylines and dates, where a paragraph of the article has paragraphs
  for neighbours;
- related stories, comments and footers come *after* the article on nearly every page.

The algorithm, per window of lines (the whole page, for any page under WINDOW_LINES lines and
WINDOW_CHARS characters):

1. Blocks. Lines are joined into blocks where a line goes on with the sentence the previous one
   left open (a converter that puts every link on its own line cuts paragraphs that way, and a
   hard wrap does too): it starts in lower case or with punctuation or a bracket, or the previous
   one ends on a comma, an open bracket or quote, or on a stop word (then the line must be as
   short as a link's text, or the previous one long enough to be a sentence: OPEN_WORDS).
2. Language. The language is the one whose stop words cover most of the long lines' words
   (`language.py`); its stop-word share in the window's long blocks is the page's prose level,
   so "dense" means dense for this page and this list, whatever the language.
3. Labels and scores. Each block gets a label from its own features (PROSE, or one kind of
   furniture) and a score: a prose block scores its word count (less ISOLATED_COST when no
   prose block touches it), every other block a cost, higher the surer it is furniture. A
   block seen twice in a row (alt text doubling a caption), a short block seen before (the
   menu again in the footer), a short block with a date or a counter, a long one in which no
   sentence ends, and a copyright line are furniture whatever else they look like. A prose
   block seen before with no prose next to it (a teaser list shown twice) is a repeat too; one
   inside running prose stays (the first paragraph again under a summary). A block that would
   be prose but is short and ends no sentence (UNENDED: under HEADLINE_MAX_WORDS, no final stop)
   is the title of another story or a list entry: it costs little (a list inside the article
   stays) but counts as no prose (a "Most read" list of titles does not make an article). The
   marked list right after a paragraph that ends on a colon is the list it announces: its items
   are worth a little (LISTED_WORTH) whatever they look like (a product list, a schedule).
   So are the lines of an interview: a block marked as a question ("Q: Favorite books?",
   "Frage:", "Pregunta:"...) followed by one marked as its answer ("A: The Old Man and the
   Sea"), or three blocks or more whose speakers alternate ("Carlos: ..." / "Eugênio: ..." /
   "Carlos: ..."), however short or Title Case they are.
   An author box is furniture wherever it stands, inside the region too: a heading "About the
   author", or "About" + a name over a paragraph that names that person (its biography).
   A line that is only a number (a cell of a stock widget, a gallery counter) is furniture
   but no border: it costs NUMBER_COST, like a label, where a date costs META_COST.
4. The article region. The maximal-scoring runs of blocks are found (Ruzzo-Tompa, linear). A run
   of furniture costing more than HARD_BREAK is never bridged (short lines and numbers that are no link,
   headline or repeat do not count towards it: a list of phrases is article text as often as
   not), nor is a run of REPEAT_WALL repeated blocks (the share bar or the menu shown again:
   the page template around the article). The article is the *first* run
   holding at least ARTICLE_SHARE of the best run's score (teasers, comments and footers come
   later), widened by the neighbouring runs that a cheap gap separates from it: one costing at
   most JOIN_GAP, or less than the run beyond it is worth (JOIN_RATIO: the article goes on after
   a photo block or a fact box). Walls are never crossed.
   No article: when the best run is worth less than MIN_ARTICLE, or the chosen run is only
   teasers (each prose block a single sentence between titles: the standfirsts of an index
   page), the window has no article. A page of PAGE_BLOCKS blocks or more (an index page, a
   section front) then goes whole, reported as heuristic.no-article: nothing on it is article
   text, and emitting its menus would be the worst output. A shorter text is left as it is (a
   snippet, or an article already cleaned).
5. Trimming. Lines outside the region go; inside it, a run of two or more sure-furniture blocks
   (link lists, dates, wordless lines) goes too. Short lines inside the region stay: subheadings,
   datelines, quotes and list items live there.

Every removal is reported as `heuristic.<label>` (the label of the removed line's block, see
LABEL_IDS), so `--explain` says what the line looked like to this stage.

Streaming: lines are held in a window of at most WINDOW_LINES lines / WINDOW_CHARS characters.
A bigger page is classified window by window; the last OVERLAP_LINES lines of a window are
decided with the next one, so no line is judged without context on both sides. The pieces of
an over-long line (`Fragment`s) pass untouched: the window is closed before them and a new one
opened after them. The result depends only on the lines, never on how the input was chunked.
A window holds one page: several pages concatenated into one input keep one article per
window (feed pages as separate documents, as batch mode does).

Cost: O(lines) per window, a few regex calls per line and set look-ups per word; no per-line
loop over many patterns. Language detection looks at most `language.VOTE_MAX_WORDS` words.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from ..options import Options
from ..removal import OnRemoval, Removal
from ..rules.cache import compile_re
from . import language
from .normalize import Fragment

# --- the window ---------------------------------------------------------------------------
WINDOW_LINES = 5000  # lines held before a window is classified (a long article page: ~1000)
WINDOW_CHARS = 1 << 20  # ... or characters
OVERLAP_LINES = 300  # the end of a full window is decided again with the next window
FIXPOINT_ROUNDS = 4  # the classifier runs again on what it kept, until it keeps all (idempotence)

# --- block features ---------------------------------------------------------------------------
PROSE_WORDS = 10  # a prose block has at least this many words ...
PROSE_DENSITY = 0.5  # ... and at least this share of the page's prose stop-word level
ENDED_WORDS = 20  # a block this long that ends a sentence is prose ...
ENDED_DENSITY = 0.25  # ... at this share of the level (names and figures: a results report)
LIST_PROSE_WORDS = 16  # a list item needs this many words to count as prose
REF_WORDS = 12  # blocks this long set the page's prose stop-word level
DEFAULT_LEVEL = 0.35  # the level when no block is that long
HEADLINE_CAPS = 0.6  # this share of Capitalised words, no final stop: a headline or a label
SENTENCE_WORDS = 3  # a short line ending in . ! ? with a stop word and this many words reads as a sentence
ITEM_DENSITY = 0.5  # a list item this dense (relative to the level) reads as text, not a link
META_WORDS = 12  # a date, a time or a counter ("3 comments") in a block this short: metadata
RUN_ON_WORDS = 40  # a block this long with no sentence end in it is a row of headlines or tags
LINK_WORDS = 6  # a line this short after one ending on a stop word is a link cut out of it
OPEN_WORDS = 8  # a line this long ending on a stop word is a sentence cut (a link, a hard wrap)
HEADLINE_MAX_WORDS = 20  # a prose-like block shorter than this that ends no sentence is a title or a list entry
CJK_CHARS_PER_WORD = 2  # Chinese and Japanese have no spaces: count a word per 2 characters

# --- scores (in words of prose: what a block is worth to the article region) --------------------
SHORT_COST = 10  # a short line that is neither a sentence nor a list item (a label, a button)
SENTENCE_COST = 3  # a short sentence ("Here's why.")
ITEM_COST = 3  # a list item that reads as text
LINK_COST = 12  # a list item that reads as a link, a line with no words
REPEAT_COST = 12  # a line seen before in the window (menus come twice, alt text doubles a caption)
META_COST = 25  # metadata: comment and teaser lists are built from bylines and dates
NUMBER_COST = 10  # a line that is only a number (a widget cell, a counter, a list numeral): as sure as a label, not a date
ISOLATED_COST = 15  # a prose block with no prose neighbour (a teaser, a caption, a comment)

# --- the article region -------------------------------------------------------------------
HARD_BREAK = 150  # a run of furniture costing this much is never bridged
ARTICLE_SHARE = 0.35  # the article is the first run holding this share of the best run's score
REPEAT_WALL = 4  # a run of this many repeated blocks (the share bar again, the menu again) is a wall
JOIN_GAP = 20  # neighbouring runs separated by furniture costing at most this much join it
JOIN_RATIO = 1  # ... or at most this many times what the run beyond the gap is worth
MIN_ARTICLE = 15  # a window whose best run is below this has no article
PAGE_BLOCKS = 30  # ... and if it holds this many blocks it is a page with none (an index page): all of it goes
LISTED_WORTH = 1  # an item of a list that a paragraph of prose announces (ends on ":") is article text
# An interview's lines open with who speaks: "Carlos:", "Prof. Carlos Nadalim:", or a
# question or answer mark ("Q:", "Q.", "Frage:", "Pregunta:" / "A:", "Antwort:", "Respuesta:").
# A converter may put the label on a line of its own, the words on the next.
_QUESTIONS = frozenset("Q Question F Frage Pregunta P Domanda D Pergunta Vraag V Pytanie Вопрос В Soru S".split())
_ANSWERS = frozenset("A Answer Antwort R Réponse Respuesta Risposta Resposta Antwoord O Odpowiedź Ответ О Cevap C".split())
_SPEAKER = compile_re(  # "Name:" ("Question :" in French typography), or a one-letter mark and a full stop ("Q.")
    r"(?:([^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){0,2})\s?:|([%s])\.)(?:\s|$)"
    % "".join(sorted(m for m in _QUESTIONS | _ANSWERS if len(m) == 1)))

# An author box: a heading "About the author" (no name), or "About" and the author's name, in
# ten languages; then the biography (after the name on a line of its own, a link to the
# author's page). A heading that names someone only counts when the next paragraph names them too.
_AUTHOR_HEAD = compile_re(
    r"(?:About the (?:author|writer)|Über (?:den Autor|die Autorin)|À propos de l['’]auteur|A propos de l['’]auteur"
    r"|Sobre (?:el autor|la autora|o autor|a autora)|Acerca del autor|(?:Sull|L)['’]autore|Over de (?:auteur|schrijver)"
    r"|O autorze|Об авторе|Yazar hakkında"
    r"|(?:About|Über|À propos de|A propos de|Sobre|Acerca de|Informazioni su|Over)\s+(?P<name>[^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){1,3}))"
    r"\s?:?"
)
AUTHOR_BIO_BLOCKS = 3  # the biography starts at most this many blocks after the heading

# What each label is reported as when its line is removed.
PROSE, SHORT, SENTENCE, ITEM, LINK, NO_WORDS, HEADLINE, REPEAT, META, LEGAL, UNENDED, LISTED, NUMBER, NO_ARTICLE, EXCHANGE, AUTHOR = range(16)
LABEL_IDS = {
    PROSE: "heuristic.stray-prose",  # prose outside the article: teasers, comments, legal text
    SHORT: "heuristic.short-line",  # a short line outside the article: labels, buttons, bylines
    SENTENCE: "heuristic.short-line",
    ITEM: "heuristic.link-list",  # list items outside the article
    LINK: "heuristic.link-list",  # menus, share buttons, tag lists
    NO_WORDS: "heuristic.no-words",  # separators, bullets, icons
    HEADLINE: "heuristic.headline",  # Title Case lines: teaser headlines, section labels
    REPEAT: "heuristic.repeated",  # a line the window holds twice
    META: "heuristic.metadata",  # dates, times, counters
    LEGAL: "heuristic.legal",  # copyright lines
    UNENDED: "heuristic.headline",  # words that end no sentence: a teaser's title, an unmarked list entry
    LISTED: "heuristic.link-list",  # an item of a list a paragraph announces, outside the article
    NUMBER: "heuristic.number",  # a line that is only a number: stock widgets, counters, page numbers
    NO_ARTICLE: "heuristic.no-article",  # a page with no article (an index page): all of it
    EXCHANGE: "heuristic.interview",  # a question or answer of an interview, outside the article
    AUTHOR: "heuristic.author-box",  # "About Jane Doe" and her biography, wherever it stands
}
_SURE_FURNITURE = frozenset((LINK, NO_WORDS, META, NUMBER))  # trimmed inside the region when in a run
# Not counted towards HARD_BREAK: a list of short phrases is article text as often as not (a
# menu is Title Case links: HEADLINE, LINK, REPEAT); they still cost in the region's score.
# Nor are lines that are only numbers: a stock widget or a gallery counter inside the article
# is no border of it (a run of them still goes, see _trim).
WALL_SOFT = frozenset((SHORT, SENTENCE, NUMBER))

# Compiled through the rule cache (cleaner/rules/cache.py): compiling these costs ~3 ms, paid
# by every call of the CLI; rebuilding them from their cached programs, microseconds.
_WORD = compile_re(r"\w+")
_DIGITS = compile_re(r"\d+")
_CJK = compile_re(r"[\u3040-\u30ff\u3400-\u9fff]{%d,}" % (CJK_CHARS_PER_WORD + 1))
_DATE = compile_re(r"\d:\d\d|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|\b(?:19|20)\d\d\b")
_LIST_MARKS = frozenset("*-+•·▪◦‣>o")  # "o": lynx's third-level bullet
_SENTENCE_END = frozenset(".!?…")
_SENTENCE_STOP = compile_re(r"[.!?…。！？][\"'”’»)\]]*(?:\s|$)")
_OPEN_END = frozenset(".!?…:;")  # a line ending in one of these does not run on
_CLOSERS = "\"'”’»)]"
_OPENERS = frozenset("([“‘«")  # a line ending in one of these is cut inside a bracket or a quote
_BRACKETS = frozenset("([")  # a line starting with one of these goes on with an open line: "Nikkei 225" / "(N225)"
_RUN_ON_START = frozenset(",.;:)]!?’”'%")  # a line starting with one of these runs on

BLANK, TEXT, RAW = 0, 1, 2


class _Line:
    """A line with what the classifier needs from it, computed once."""

    __slots__ = ("no", "text", "kind", "core", "toks", "words", "caps", "marked", "first", "last", "keep", "label")

    def __init__(self, no: int, text: str, kind: int) -> None:
        self.no, self.text, self.kind = no, text, kind
        self.keep, self.label = True, SHORT
        if kind != TEXT:
            self.core, self.toks, self.words, self.caps, self.marked = "", [], 0, 0, False
            self.first = self.last = ""
            return
        marked = False
        core = text.strip()
        first = core[0]
        if first in _LIST_MARKS and (len(core) == 1 or core[1] == " ") and (first != "o" or text[0] == " "):
            marked, core = True, core[1:].lstrip()
        elif first.isdigit():
            i = 1
            while i < len(core) and i < 4 and core[i].isdigit():
                i += 1
            if i + 1 < len(core) and core[i] in ".)" and core[i + 1] == " ":
                marked, core = True, core[i + 2 :].lstrip()
        toks = _WORD.findall(core)
        words = len(toks)
        if core.isascii():  # lower() maps a letter to a letter: the words lower-cased, cheaper than found again
            lower = " ".join(toks).lower().split(" ") if toks else toks
        else:
            lower = _WORD.findall(core.lower())
            if len(lower) != len(toks):  # lower() split a word ("İ"): rare, take the slow way
                lower = [t.lower() for t in toks]
            # Chinese and Japanese runs count a word per CJK_CHARS_PER_WORD
            words += sum(len(run) // CJK_CHARS_PER_WORD - 1 for run in _CJK.findall(core))
        self.core, self.toks, self.words, self.marked = core, lower, words, marked
        self.caps = sum(map(str.__ne__, toks, lower))  # words with a capital
        self.first = core[:1]
        self.last = core.rstrip(_CLOSERS)[-1:] or core[-1:]


class _Block:
    """Lines that make one unit of text (a paragraph, a list item, a menu entry)."""

    __slots__ = ("lines", "words", "caps", "stops", "marked", "label", "score", "key", "shape")

    def __init__(self, line: _Line) -> None:
        self.lines = [line]
        self.words, self.caps, self.marked = line.words, line.caps, line.marked
        self.stops, self.label, self.score, self.key, self.shape = 0, SHORT, 0, "", None

    def add(self, line: _Line) -> None:
        self.lines.append(line)
        self.words += line.words
        self.caps += line.caps


# --- the stage: windows -------------------------------------------------------------------


def apply_heuristics(
    lines: Iterable[tuple[int, str]], options: Options = Options(), on_removal: OnRemoval | None = None
) -> Iterator[str]:
    """(input line number, line) pairs as the rules kept them, blank lines and `Fragment`s
    included -> the kept lines. The numbers are only used in the `Removal` records (the rules
    have already dropped lines, so the stage cannot count them itself: see
    `apply_rules_numbered`; `enumerate(lines, 1)` numbers a page no rule touched)."""
    window: list[_Line] = []
    chars = 0
    in_line = False  # inside an over-long line: its pieces pass untouched
    for no, line in lines:
        if in_line or type(line) is Fragment:
            if window:
                yield from _decide(window, on_removal)
                window, chars = [], 0
            in_line = type(line) is Fragment
            yield line
            continue
        window.append(_Line(no, line, TEXT if line.strip() else BLANK))
        chars += len(line)
        if len(window) >= WINDOW_LINES or chars >= WINDOW_CHARS:
            cut = _cut_point(window)
            _classify_to_fixpoint(window)
            yield from _emit(window[:cut], on_removal)
            window = window[cut:]  # judged again with the next lines
            for ln in window:
                ln.keep, ln.label = True, SHORT
            chars = sum(len(ln.text) for ln in window)
    if window:
        yield from _decide(window, on_removal)


def _cut_point(window: list[_Line]) -> int:
    """Where a full window is cut: OVERLAP_LINES from its end, moved back to a blank line if
    one is near (so a block is not cut in two)."""
    end = max(1, len(window) - OVERLAP_LINES)
    for i in range(end, max(0, end - OVERLAP_LINES // 2), -1):
        if window[i].kind == BLANK:
            return i
    return end


def _decide(window: list[_Line], on_removal: OnRemoval | None) -> Iterator[str]:
    _classify_to_fixpoint(window)
    return _emit(window, on_removal)


def _classify_to_fixpoint(window: list[_Line]) -> None:
    """`_classify`, then again on what it kept, until a round removes nothing (at most
    FIXPOINT_ROUNDS). Cleaning clean text must change nothing, and the page without its
    furniture can look different to the classifier (a region bridged over removed lines): so
    the stage settles on output that it would itself leave as it is. A round that removed
    nothing ends it: the next would see the same lines and decide the same (clean text, such
    as cleaned output checked again, is classified once)."""
    rest = window
    _classify(rest)
    for _ in range(FIXPOINT_ROUNDS - 1):
        kept = [ln for ln in rest if ln.keep or ln.kind != TEXT]
        if len(kept) == len(rest):
            return
        rest = kept
        _classify(rest)


def _emit(lines: list[_Line], on_removal: OnRemoval | None) -> Iterator[str]:
    for ln in lines:
        if ln.keep:
            yield ln.text
        elif on_removal is not None:
            on_removal(Removal(ln.no, LABEL_IDS[ln.label], ln.text, True))


# --- the classifier -------------------------------------------------------------------------


def _classify(window: list[_Line]) -> None:
    """Set `keep` and `label` on every text line of the window (steps 1-5 of the module doc)."""
    stops = language.stop_words(language.detect_words(
        chain.from_iterable(ln.toks for ln in window if ln.words >= language.VOTE_MIN_WORDS)
    ))
    blocks = _blocks(window, stops)
    if not blocks:
        return
    _label(blocks, stops)
    keep = _article(blocks)
    if keep is None:
        if len(blocks) < PAGE_BLOCKS:  # a snippet, or an article already cleaned: leave it as it is
            return
        for ln in window:  # a page with no article: an index page, a section front
            ln.keep, ln.label = False, NO_ARTICLE
        return
    _trim(blocks, keep)
    for i, b in enumerate(blocks):
        if b.label == AUTHOR:  # inside the region too: a biography is about the writer, not the story
            keep[i] = False
    for b, kept in zip(blocks, keep):
        for ln in b.lines:
            ln.keep, ln.label = kept, b.label


def _blocks(window: list[_Line], stops: frozenset[str]) -> list[_Block]:
    """Step 1: non-blank lines -> blocks. A line joins the previous one when that one is left
    open (no final stop) and this one carries on: it starts in lower case, with punctuation or
    with a bracket ("Nikkei 225" / "(N225)"), or the previous one ends on a comma or an open
    bracket or quote, or on a stop word and either this one is as short as a link's text
    ("according to" / "Reuters") or the previous one is as long as a cut sentence ("who in 2008
    won the" / "Africa Movie Academy Award for Best Actress, has taken": a link or a hard wrap;
    a menu entry ending on a stop word, "Contact us", is too short to take the next one)."""
    blocks: list[_Block] = []
    prev: _Line | None = None
    for ln in window:
        if ln.kind != TEXT:
            prev = None
            continue
        if prev is not None and not ln.marked and prev.last not in _OPEN_END and (
            ln.first.islower()
            or ln.first in _RUN_ON_START
            or (ln.words == 0 and ln.last in _SENTENCE_END)
            or prev.last == ","
            or prev.core[-1:] in _OPENERS
            or ln.first in _BRACKETS
            or (
                (ln.words <= LINK_WORDS or prev.words >= OPEN_WORDS)
                and prev.last.isalpha() and prev.toks and prev.toks[-1] in stops
            )
        ):
            blocks[-1].add(ln)
        else:
            blocks.append(_Block(ln))
        prev = ln
    return blocks


def _label(blocks: list[_Block], stops: frozenset[str]) -> None:
    """Steps 2-3: each block's label and score."""
    is_stop = stops.__contains__
    for b in blocks:
        if len(b.lines) == 1:  # most blocks: no join, no sum of sums
            b.key = b.lines[0].core
            if stops:
                b.stops = sum(map(is_stop, b.lines[0].toks))
        else:
            b.key = " ".join(ln.core for ln in b.lines)
            if stops:
                b.stops = sum(sum(map(is_stop, ln.toks)) for ln in b.lines)
    long = [b for b in blocks if b.words >= REF_WORDS]
    long_words = sum(b.words for b in long)
    level = sum(b.stops for b in long) / long_words if stops and long_words else DEFAULT_LEVEL
    shapes: dict[str, int] = {}  # short blocks with their numbers blanked: "Rating: 0 Votes"
    for b in blocks:
        if b.words <= META_WORDS:
            shape, numbers = _DIGITS.subn("0", b.key)
            b.shape = shape if numbers else None  # (None: no number, so no date either)
            shapes[shape] = shapes.get(shape, 0) + 1
    seen: set[str] = set()
    echoes: list[int] = []  # prose seen before
    prev_key = None
    for i, b in enumerate(blocks):
        density = (b.stops / b.words / level if b.words else 0.0) if stops else 1.0
        ended = b.lines[-1].last in _SENTENCE_END
        b.label = _block_label(b, density, ended, shapes, stops)
        key = b.key
        if key == prev_key:  # doubled: alt text and caption
            b.label = blocks[i - 1].label = REPEAT
        elif key in seen:  # the menu again in the footer (prose: see its neighbours, below)
            if b.label == PROSE:
                echoes.append(i)
            else:
                b.label = REPEAT
        seen.add(key)
        prev_key = key
    for i in echoes:  # a prose block seen before, with no prose next to it: a teaser shown again
        if not _next_to_prose(blocks, i):
            blocks[i].label = REPEAT
    _announced_lists(blocks)
    _exchanges(blocks)
    _author_boxes(blocks)
    for i, b in enumerate(blocks):
        if b.label in (LISTED, EXCHANGE):
            b.score = LISTED_WORTH
        elif b.label == PROSE:
            supported = _next_to_prose(blocks, i)
            b.score = b.words if supported else b.words - ISOLATED_COST
        else:
            b.score = -_COSTS[b.label]


def _announced_lists(blocks: list[_Block]) -> None:
    """A paragraph of prose that ends on a colon announces what follows it: the marked list
    right after it ("Here are the offers:" / "1) ..." / "2) ...") is article text, however
    short, Title Case or link-like its items look (a product list, a schedule, a list of
    names). The list is its marked blocks in a row, with a short unmarked line between two of
    them (the item's link or price on a line of its own); it ends at the first other block. A
    menu is never announced by a paragraph, and a related-story list is headed by a label, not
    by a sentence of prose."""
    n = len(blocks)
    for i, b in enumerate(blocks):
        if b.label != PROSE or not b.key.endswith(":"):
            continue
        j = i + 1
        while j < n:
            c = blocks[j]
            if c.marked or (c.words <= LINK_WORDS and j > i + 1 and j + 1 < n and blocks[j + 1].marked):
                if c.label not in (PROSE, REPEAT):
                    c.label = LISTED
                j += 1
            else:
                break


def _exchanges(blocks: list[_Block]) -> None:
    """An interview's lines are article text, however short. A turn is a block that opens
    with a speaker's label (with the next block when the label stands alone: "Prof. Carlos:" /
    "Estou aqui..."). Two turns in a row, a question mark then an answer mark ("Q: Favorite
    books?" / "A: The Old Man and the Sea"), or three whose speakers alternate (Carlos,
    Eugênio, Carlos) are an exchange. Prose keeps its own (higher) worth; repeats stay repeats."""
    n = len(blocks)
    turns: list[tuple[int, int, str]] = []  # (first block, last block, speaker)
    i = 0
    while i < n:
        key = blocks[i].key
        # A label ends on a colon or is a mark and a full stop: most blocks need no match.
        m = _SPEAKER.match(key) if ":" in key or key[1:2] == "." else None
        speaker = m and (m.group(1) or m.group(2))
        if not speaker or not speaker[0].isupper():
            i += 1
            continue
        last = i + 1 if m.end() >= len(key) and i + 1 < n else i
        turns.append((i, last, speaker))
        i = last + 1
    exchange = [False] * n
    for k in range(len(turns) - 1):
        (a0, a1, sa), (b0, b1, sb) = turns[k], turns[k + 1]
        if b0 != a1 + 1:
            continue
        if sa in _QUESTIONS and sb in _ANSWERS:
            exchange[a0 : b1 + 1] = [True] * (b1 + 1 - a0)
        if k + 2 < len(turns):
            c0, c1, sc = turns[k + 2]
            if c0 == b1 + 1 and sa == sc != sb:
                exchange[a0 : c1 + 1] = [True] * (c1 + 1 - a0)
    for b, marked in zip(blocks, exchange):
        if marked and b.label not in (PROSE, REPEAT):
            b.label = EXCHANGE


def _author_boxes(blocks: list[_Block]) -> None:
    """An author box is no part of the article, wherever it stands: a heading "About the
    author" followed by a paragraph (the biography), or "About Jane Doe" followed, within
    AUTHOR_BIO_BLOCKS blocks, by a paragraph that names her ("Jane Doe is a reporter ...");
    short blocks between them (her name again, a link to her page) go with it. A subheading
    "About" + a name over a paragraph about someone else is left alone."""
    n = len(blocks)
    for i, b in enumerate(blocks):
        if b.label == PROSE or b.words > 6:
            continue
        m = _AUTHOR_HEAD.fullmatch(b.key)
        if not m:
            continue
        name = m.group("name")
        names = name.split() if name else ()
        if not all(w[0].isupper() for w in names):  # "About the blog", "Sobre o Blog": no person
            continue
        for j in range(i + 1, min(n, i + 1 + AUTHOR_BIO_BLOCKS)):
            c = blocks[j]
            if c.label in (PROSE, UNENDED, SENTENCE) and c.words > 6:
                if not names or (names[0] in c.key and names[-1] in c.key):
                    for k in range(i, j + 1):
                        blocks[k].label = AUTHOR
                break
            if c.words > 6:
                break


def _next_to_prose(blocks: list[_Block], i: int) -> bool:
    return (i > 0 and blocks[i - 1].label == PROSE) or (i + 1 < len(blocks) and blocks[i + 1].label == PROSE)


_COSTS = {
    SHORT: SHORT_COST, SENTENCE: SENTENCE_COST, ITEM: ITEM_COST, LINK: LINK_COST,
    NO_WORDS: LINK_COST, HEADLINE: SHORT_COST, REPEAT: REPEAT_COST, META: META_COST,
    LEGAL: LINK_COST, UNENDED: ITEM_COST, NUMBER: NUMBER_COST, AUTHOR: META_COST,
}


def _block_label(b: _Block, density: float, ended: bool, shapes: dict[str, int], stops: frozenset[str]) -> int:
    if b.words == 0:
        return NO_WORDS
    if b.words <= META_WORDS:
        if b.shape is not None and _DATE.search(b.key):  # (most short blocks have no digit to search for)
            return META
        if all(t.isdigit() for ln in b.lines for t in ln.toks):
            return NUMBER  # only a number: a cell of a widget, a counter, a list numeral
        if b.shape is not None and b.shape != b.key and shapes[b.shape] >= 2:
            return META
    if "©" in b.key or "ⓒ" in b.key:  # a copyright line (two substring tests: cheaper than a regex search)
        return LEGAL
    title_case = b.caps >= HEADLINE_CAPS * b.words and not ended
    if b.words >= RUN_ON_WORDS and not _SENTENCE_STOP.search(b.key):
        return HEADLINE  # this long and not one sentence ends: a row of headlines or tags
    if b.marked and not (b.words >= LIST_PROSE_WORDS and density >= PROSE_DENSITY):
        text_like = ended or (density >= ITEM_DENSITY and b.stops > 0 and not title_case)
        return ITEM if text_like and b.words >= SENTENCE_WORDS else LINK
    if title_case:
        return HEADLINE
    if b.words >= PROSE_WORDS and (density >= PROSE_DENSITY or (ended and density >= ENDED_DENSITY and b.words >= ENDED_WORDS)):
        if not ended and b.words < HEADLINE_MAX_WORDS and b.lines[-1].last not in ":;":
            return UNENDED
        return PROSE
    if ended and b.words >= SENTENCE_WORDS and (b.stops or not stops):
        return SENTENCE
    return SHORT


def _article(blocks: list[_Block]) -> list[bool] | None:
    """Step 4: which blocks make the article region (None: no article in sight)."""
    scores = [b.score for b in blocks]
    run = start = repeats = 0
    for i, sc in enumerate(scores):  # long furniture runs are walls
        if sc <= 0:
            if run == 0:
                start = i
            if blocks[i].label not in WALL_SOFT:
                run += sc
            repeats = repeats + 1 if blocks[i].label == REPEAT else 0
            if run <= -HARD_BREAK or repeats >= REPEAT_WALL:
                scores[start] = -(1 << 40)
        else:
            run = repeats = 0
    segs = _maximal_segments(scores)
    best = max((t for _, _, t in segs), default=0)
    if best < MIN_ARTICLE:
        return None
    k = next(i for i, (_, _, t) in enumerate(segs) if t >= ARTICLE_SHARE * best)
    lo, hi = segs[k][0], segs[k][1]
    if _teaser_chain(blocks, lo, hi):
        return None
    # Widen to the right, then to the left, over gaps that cost less than the run beyond them
    # is worth (or at most JOIN_GAP): an article goes on after an image block or a fact box.
    for j in range(k + 1, len(segs)):
        if -sum(scores[hi : segs[j][0]]) > max(JOIN_GAP, JOIN_RATIO * segs[j][2]):
            break
        hi = segs[j][1]
    for j in range(k - 1, -1, -1):
        if -sum(scores[segs[j][1] : lo]) > max(JOIN_GAP, JOIN_RATIO * segs[j][2]):
            break
        lo = segs[j][0]
    return [lo <= i < hi for i in range(len(blocks))]


def _teaser_chain(blocks: list[_Block], lo: int, hi: int) -> bool:
    """Is the run lo:hi a list of story teasers rather than an article? Each of its prose
    blocks stands alone between titles, and none says more than one sentence: the standfirst
    under a headline on an index page. An article has paragraphs side by side, or paragraphs
    of several sentences under its subheadings."""
    prose = [i for i in range(lo, hi) if blocks[i].label == PROSE]
    return bool(prose) and all(  # no prose at all: a long interview or announced list, not teasers
        not _next_to_prose(blocks, i) and len(_SENTENCE_STOP.findall(blocks[i].key)) <= 1 for i in prose
    )


def _maximal_segments(scores: list[int]) -> list[tuple[int, int, int]]:
    """All maximal-scoring runs (start, end, score), in order, in linear time: Ruzzo & Tompa,
    "A linear time algorithm for finding all maximal scoring subsequences" (ISMB 1999)."""
    segs: list[tuple[int, int, int, int]] = []  # (start, end, cumulative before, cumulative after)
    cum = 0
    for i, s in enumerate(scores):
        if s <= 0:
            cum += s
            continue
        start, before, after = i, cum, cum + s
        cum = after
        while True:
            j = len(segs) - 1
            while j >= 0 and segs[j][2] >= before:
                j -= 1
            if j < 0 or segs[j][3] >= after:
                segs.append((start, i + 1, before, after))
                break
            start, before = segs[j][0], segs[j][2]
            del segs[j:]
    return [(a, b, r - l) for a, b, l, r in segs]


def _trim(blocks: list[_Block], keep: list[bool]) -> None:
    """Step 5: inside the region, runs of two or more sure-furniture blocks go (a share bar, a
    tag list); a single one stays (it may be a dateline or a one-item list)."""
    i = 0
    while i < len(blocks):
        if keep[i] and blocks[i].label in _SURE_FURNITURE:
            j = i
            while j < len(blocks) and keep[j] and blocks[j].label in _SURE_FURNITURE:
                j += 1
            if j - i >= 2:
                for k in range(i, j):
                    keep[k] = False
            i = j
        else:
            i += 1
