"""Earlier postmortems that resemble one, each with the reasons it scores: shared services,
teams, tags and contributing factors, and similar wording in the title, Summary and Root cause.

The score is a sum of named parts so that the "why" can be read off it: a shared service counts
more than a shared tag, and wording counts by its TF-IDF cosine (word and two-word terms, stop
words left out). `Index` computes document frequencies and the inverted indexes once; a query
then touches only the postmortems that share something with it, so it stays linear in the
repo's size. Written here rather than taken from scikit-learn: thirty lines of counting do not
earn a dependency of that size, and the terms behind a score must be at hand for the "why".
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from followthrough.core.learning.features import Features
from followthrough.core.model import Postmortem
from followthrough.core.text.body import postmortem_section

TEXT_SECTIONS = ("Summary", "Root cause")
# What each shared value adds to the score; the wording adds TEXT_POINTS times its cosine (0..1).
POINTS = {"service": 3.0, "factor": 2.0, "team": 1.0, "tag": 1.0}
TEXT_POINTS = 10.0
MIN_COSINE = 0.1  # below this, two texts share only words many postmortems use (measured on the samples)
SHOWN_TERMS = 3  # words quoted in the "why"
DEFAULT_LIMIT = 5

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on
    once only or other our ours out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours one two three its it's we're they're didn't wasn't weren't don't
    doesn't isn't aren't couldn't won't can't""".split()
)
REASON_ORDER = ("service", "factor", "team", "tag", "text")


def terms(text: str) -> list[str]:
    """Words (lower case, stop words and lone digits out) and each pair of words that stood
    side by side around no stop word: 'connection pool' counts as a term of its own."""
    out: list[str] = []
    previous: str | None = None
    for word in _WORD.findall(text.lower()):
        if word in STOP_WORDS or len(word) < 2 or word.isdigit():
            previous = None
            continue
        out.append(word)
        if previous is not None:
            out.append(f"{previous} {word}")
        previous = word
    return out


def document_text(pm: Postmortem) -> str:
    """What the wording is compared on: the title, the Summary and the Root cause (prose only)."""
    parts = [pm.title]
    for name in TEXT_SECTIONS:
        parts.extend(line.text for line in postmortem_section(pm, name))
    return "\n".join(parts)


def features_of(pm: Postmortem | Features) -> Features:
    if isinstance(pm, Features):
        return pm
    return Features(
        pm.id, pm.path, pm.title, pm.kind, pm.started, tuple(pm.services), tuple(pm.teams), tuple(pm.tags),
        tuple(pm.factors), tuple(pm.related), pm.recurrence_of, dict(Counter(terms(document_text(pm)))), bool(pm.lines),
    )


@dataclass(frozen=True, slots=True)
class Reason:
    """One part of a score: what is shared, and how much it adds."""

    kind: str  # "service" | "factor" | "team" | "tag" | "text"
    values: tuple[str, ...]  # the shared names, or the words that weigh most in the wording
    points: float

    def __str__(self) -> str:
        quoted = ", ".join(f"'{v}'" for v in self.values)
        if self.kind == "text":
            return f"similar wording: {quoted}"
        noun = self.kind if len(self.values) == 1 else self.kind + "s"
        return f"same {noun} {quoted}"


@dataclass(frozen=True, slots=True)
class Suggestion:
    pm: Features  # the earlier postmortem
    score: float
    reasons: tuple[Reason, ...]
    linked: bool  # already named in `related`/`recurrence_of`, one way or the other
    field: str  # what to link it with: "recurrence_of" or "related"

    @property
    def why(self) -> str:
        return "; ".join(str(r) for r in self.reasons)

    @property
    def line(self) -> str:
        """The front-matter line that links it."""
        return f"recurrence_of: {self.pm.id}" if self.field == "recurrence_of" else f"related: [{self.pm.id}]"


def _field(earlier: Features, reasons: Sequence[Reason]) -> str:
    """A recurrence when the same service failed for the same factor and the earlier one was an
    incident; otherwise the two are only related."""
    shared = {r.kind for r in reasons}
    if earlier.is_incident and {"service", "factor"} <= shared:
        return "recurrence_of"
    return "related"


def _is_linked(query: Features, other: Features) -> bool:
    return other.id in query.related or other.id == query.recurrence_of or query.id in other.related or other.recurrence_of == query.id


class Index:
    """The repo's postmortems, ready to be asked which resemble one of them (or a new one).
    Built from their `Features` (a Postmortem is turned into its features first), so a run can
    hand in the features it kept from the last run instead of parsing every file again."""

    def __init__(self, postmortems: Iterable[Postmortem | Features]) -> None:
        self.postmortems: list[Features] = [features_of(pm) for pm in postmortems]
        counts = [pm.counts for pm in self.postmortems]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        self.n = len(self.postmortems)
        self.df: Mapping[str, int] = df
        self._idf = {t: self.idf(t) for t in df}
        # 1 + log(count) for every count met: counts repeat, and the table turns a call into an index.
        top = max((max(c.values(), default=0) for c in counts), default=0)
        self._log = [0.0, *(1.0 + math.log(c) for c in range(1, top + 1))]
        self.vectors = [self._indexed_weights(c) for c in counts]
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, vector in enumerate(self.vectors):
            for term, weight in vector.items():
                self.postings[term].append((i, weight))
        self.by_value: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, pm in enumerate(self.postmortems):
            for kind, values in _values(pm).items():
                for value in values:
                    self.by_value[(kind, value)].append(i)
        self.position = {(pm.path, pm.id): i for i, pm in enumerate(self.postmortems)}

    def idf(self, term: str) -> float:
        # Smoothed, so a term in every document still weighs a little and an unseen one is finite.
        return math.log((self.n + 1) / (self.df.get(term, 0) + 1)) + 1.0

    def _indexed_weights(self, counts: Mapping[str, int]) -> dict[str, float]:
        """`_weights` of an indexed document: its every term and count are in the tables."""
        idf, log = self._idf, self._log
        raw = {t: log[c] * idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in raw.values()))
        return {t: w / norm for t, w in raw.items()} if norm else {}

    def _weights(self, counts: Mapping[str, int]) -> dict[str, float]:
        idf, unseen = self._idf, self.idf("")
        raw = {t: (1.0 + math.log(c)) * idf.get(t, unseen) for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in raw.values()))
        return {t: w / norm for t, w in raw.items()} if norm else {}

    def vector(self, pm: Features) -> dict[str, float]:
        i = self.position.get((pm.path, pm.id))
        return self.vectors[i] if i is not None else self._weights(pm.counts)

    def similar(self, asked: Postmortem | Features, limit: int = DEFAULT_LIMIT) -> list[Suggestion]:
        """The earlier postmortems most like `asked`, best first: higher score, then the more recent,
        then by id. Earlier: started before it (every other one when it has no start yet)."""
        pm = features_of(asked)
        candidates: dict[int, list[Reason]] = defaultdict(list)
        for kind, values in _values(pm).items():
            shared: dict[int, list[str]] = defaultdict(list)
            for value in values:
                for i in self.by_value.get((kind, value), ()):
                    shared[i].append(value)
            for i, names in shared.items():
                candidates[i].append(Reason(kind, tuple(names), POINTS[kind] * len(names)))
        query = self.vector(pm)
        dots: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            for i, other in self.postings.get(term, ()):
                dots[i] += weight * other
        for i, cosine in dots.items():
            if cosine >= MIN_COSINE:
                candidates[i].append(Reason("text", (), round(TEXT_POINTS * min(cosine, 1.0), 2)))
        found = []
        for i, reasons in candidates.items():
            other = self.postmortems[i]
            if other.id == pm.id or other.path == pm.path or not _earlier(other, pm):
                continue
            found.append((round(sum(r.points for r in reasons), 2), i, reasons))
        best = heapq.nsmallest(limit, found, key=lambda f: (-f[0], -_timestamp(self.postmortems[f[1]]), self.postmortems[f[1]].id, f[1]))
        # The words behind the wording's score, for the shown few only: the rest never need them.
        return [self._suggestion(pm, query, score, i, reasons) for score, i, reasons in best]

    def _suggestion(self, pm: Features, query: Mapping[str, float], score: float, i: int, reasons: list[Reason]) -> Suggestion:
        other = self.postmortems[i]
        vector = self.vectors[i]
        shown = []
        for r in sorted(reasons, key=lambda r: REASON_ORDER.index(r.kind)):
            if r.kind == "text":
                r = Reason("text", _top_terms([(w * vector[t], t) for t, w in query.items() if t in vector]), r.points)
            shown.append(r)
        return Suggestion(other, score, tuple(shown), _is_linked(pm, other), _field(other, shown))


def _values(pm: Features) -> dict[str, tuple[str, ...]]:
    unique = lambda values: tuple(dict.fromkeys(values))  # noqa: E731 - a value named twice counts once
    return {"service": unique(pm.services), "factor": unique(pm.factors), "team": unique(pm.teams), "tag": unique(pm.tags)}


def _timestamp(pm: Features) -> float:
    return pm.started.timestamp() if pm.started else float("-inf")


def _earlier(other: Features, pm: Features) -> bool:
    if pm.started is None:
        return True
    return other.started is not None and other.started < pm.started


def _top_terms(parts: list[tuple[float, str]]) -> tuple[str, ...]:
    """The shared terms that weigh most; a pair of words stands for the words it is made of."""
    chosen: list[str] = []
    for _, term in sorted(parts, key=lambda p: (-p[0], p[1])):
        words = term.split(" ")
        if len(words) == 1 and any(term in c.split(" ") for c in chosen):
            continue
        chosen = [c for c in chosen if c not in words]
        chosen.append(term)
        if len(chosen) == SHOWN_TERMS:
            break
    return tuple(chosen)
