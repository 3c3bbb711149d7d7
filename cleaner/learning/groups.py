"""Which site each page belongs to, so that furniture is counted among pages that share it.

Three ways, chosen by `--group-by` / `--site`:

- `text` (default): from the pages themselves. Pages of one site share their furniture (menus,
  footers, link lists), so a page joins the group whose *profile* (the short lines of the
  group's first pages that recur among them) holds the largest share of the page's own short
  lines, if that share is at least MIN_CONTAINMENT and MIN_SHARED lines; else it starts a new
  group. Lines are weighed by their words (up to SIGNATURE_WEIGHT): "Home" or "Facebook" is on
  every site, "Skip to local navigation" or "All In with Chris Hayes" much less so. Lines that many groups share ("Facebook", "Home") are ignored for this, so two sites
  do not merge over their share buttons. This needs no domain in the text (a dump rarely has
  its URL) and splits one site's page templates when they share little, which is what the
  learner wants anyway.
- `folder`: the page's folder (as given on the command line, relative to its SRC).
- `--site NAME`: all pages are one group called NAME.

A group's *name* (for rule ids, summaries and a site pack's domain) is, in this order: the
given `--site`; a title affix most of its pages start with (`... | Example News`, `BBC News -
...`); a domain mentioned on most of its pages; its folder; `site`.

Memory: per group, a profile of at most PROFILE_KEYS keys, and an index from key to groups;
at most MAX_GROUPS groups (further pages that match none go to one overflow group that is not
learned from, and the learner says so).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

MIN_CONTAINMENT = 0.1  # share of a page's short lines found in a group's profile to join it
MIN_SHARED = 4  # ... and at least this many lines
PROFILE_PAGES = 8  # a group's profile is built from its first pages
PROFILE_KEYS = 4000
SIGNATURE_WORDS = 10  # short lines (at most this many words) make a page's signature
SIGNATURE_KEYS = 1500
SIGNATURE_WEIGHT = 4
COMMON_GROUPS = 20  # a key in this many group profiles says nothing about the site
MAX_GROUPS = 2000
OVERFLOW = -1

_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|»|·|•)\s+")
_DOMAIN = re.compile(r"\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|org|net|edu|gov|info|biz|io|tv|co\.uk|org\.uk|ac\.uk|[a-z]{2}))\b", re.IGNORECASE)
_NAME_CLEAN = re.compile(r"[^\w&.' -]+")


@dataclass
class Group:
    gid: int
    folder: str | None = None  # folder mode: the folder; text mode: the folder of its first page
    pages: int = 0
    profile: dict[int, int] = field(default_factory=dict)  # key -> pages (first PROFILE_PAGES)
    affixes: Counter = field(default_factory=Counter)  # title affix -> pages
    partners: dict = field(default_factory=dict)  # title affix -> a few of the texts it came with
    domains: Counter = field(default_factory=Counter)  # domain -> pages
    folders: Counter = field(default_factory=Counter)
    name: str = ""


class Grouper:
    """Assigns each page to a group as pages stream by (pass 1); `finish` names the groups."""

    def __init__(self, mode: str, site: str | None = None) -> None:
        self.mode = "site" if site else mode
        self.site = site
        self.groups: list[Group] = []
        self.by_folder: dict[str, int] = {}
        self.index: dict[int, list[int]] = {}  # profile key -> groups that have it
        self.overflow: Group | None = None

    def assign(self, folder: str, signature: dict[int, int], head: list[str], domains: set[str]) -> Group:
        if self.mode == "site":
            g = self.groups[0] if self.groups else self._new(folder)
        elif self.mode == "folder":
            gid = self.by_folder.get(folder)
            g = self.groups[gid] if gid is not None else self._new(folder)
            self.by_folder[folder] = g.gid
        else:
            g = self._match(signature) or self._new(folder, signature)
        if g.gid == OVERFLOW:
            g.pages += 1
            return g
        g.pages += 1
        g.folders[folder] += 1
        for a, partner in _affixes(head):
            g.affixes[a] += 1
            seen = g.partners.setdefault(a, set())
            if len(seen) < 3:
                seen.add(partner)
        for d in domains:
            g.domains[d] += 1
        if len(g.affixes) > 400:
            g.affixes = Counter(dict(g.affixes.most_common(100)))
            g.partners = {a: g.partners[a] for a in g.affixes if a in g.partners}
        if len(g.domains) > 400:
            g.domains = Counter(dict(g.domains.most_common(100)))
        if self.mode == "text" and g.pages <= PROFILE_PAGES:
            self._grow_profile(g, signature)
        return g

    # --- text mode ---------------------------------------------------------------------------

    def _match(self, signature: dict[int, int]) -> Group | None:
        hits: Counter = Counter()
        total = 0
        for k, weight in signature.items():
            gids = self.index.get(k)
            if gids is not None and len(gids) >= COMMON_GROUPS:
                continue
            total += weight
            if gids is not None:
                for gid in gids:
                    hits[gid] += weight
        best, best_share = None, 0.0
        for gid, shared in hits.items():
            share = shared / max(1, total)
            if shared >= MIN_SHARED and share >= MIN_CONTAINMENT and share > best_share:
                best, best_share = gid, share
        if best is not None:
            return self.groups[best]
        if len(self.groups) >= MAX_GROUPS:
            if self.overflow is None:
                self.overflow = Group(OVERFLOW, name="overflow")
            return self.overflow
        return None

    def _grow_profile(self, g: Group, signature: dict[int, int]) -> None:
        for k in signature:
            if k in g.profile:
                g.profile[k] += 1
            elif len(g.profile) < PROFILE_KEYS:
                g.profile[k] = 1
                self.index.setdefault(k, []).append(g.gid)
        if g.pages == PROFILE_PAGES:  # freeze: keep what recurs among the first pages
            for k in [k for k, c in g.profile.items() if c < 2]:
                del g.profile[k]
                gids = self.index.get(k)
                if gids is not None:
                    gids.remove(g.gid)
                    if not gids:
                        del self.index[k]

    def _new(self, folder: str, signature: dict[int, int] | None = None) -> Group:
        g = Group(len(self.groups), folder=folder)
        self.groups.append(g)
        return g

    # --- names -------------------------------------------------------------------------------

    def finish(self) -> list[Group]:
        """Name every group (unique names) and return them."""
        used: Counter = Counter()
        for g in self.groups:
            g.name = self._name(g)
            used[g.name] += 1
        seen: Counter = Counter()
        for g in self.groups:
            if used[g.name] > 1:
                seen[g.name] += 1
                if seen[g.name] > 1:
                    g.name = f"{g.name}-{seen[g.name]}"
        return self.groups

    def _name(self, g: Group) -> str:
        if self.site:
            return self.site
        half = max(1, (g.pages + 1) // 2)
        if g.affixes and g.pages >= 2:
            # a site name comes with a different headline on each page: prefer such an affix
            affix, n = max(g.affixes.items(), key=lambda kv: (len(g.partners.get(kv[0], ())) > 1, kv[1], kv[0]))
            if n >= half:
                return affix
        if g.domains:
            domain, n = max(g.domains.items(), key=lambda kv: (kv[1], -len(kv[0])))
            if n >= half:
                return domain
        if g.folders:
            folder = g.folders.most_common(1)[0][0]
            last = folder.rstrip("/").rsplit("/", 1)[-1]
            if last and last != ".":
                return last
        return "site"


def _affixes(head: list[str]) -> set[tuple[str, str]]:
    """Candidate site names from a page's first lines, each with the rest of its line: the
    first and last part of a line cut at title separators (`Headline | Site`, `Site - Headline`),
    when short."""
    out = set()
    for line in head:
        parts = _TITLE_SEPARATORS.split(line.strip())
        if len(parts) < 2:
            continue
        for part, other in ((parts[0], parts[-1]), (parts[-1], parts[0])):
            part = _NAME_CLEAN.sub("", part).strip(" -.'")
            if part and len(part.split()) <= 4 and any(c.isalpha() for c in part):
                out.add((part, other.lower()))
    return out


def domains_in(line: str) -> set[str]:
    """Domain names in a short line (furniture is short; a paragraph naming a site is not it)."""
    if "." not in line or len(line) > 160:
        return set()
    return {m.group(1).lower() for m in _DOMAIN.finditer(line) if not m.group(1)[0].isdigit()}


def slug(name: str) -> str:
    """An id part from a name: `bbc.co.uk` -> `bbc-co-uk`, `BBC News` -> `bbc-news`."""
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    return s or "site"
