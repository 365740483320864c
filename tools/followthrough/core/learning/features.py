"""What `similar.Index` compares of a postmortem and what a suggestion shows of it, as plain
values: `Features`. A run of `followthrough related` keeps each file's features between runs
(`files.features_cache`; `similar.features_of` computes them), so they turn into JSON data and back (`to_data`, `from_data`), and data
that is not exactly what `to_data` writes is refused, never half trusted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping


_TUPLES = ("services", "teams", "tags", "factors", "related")


@dataclass(frozen=True, slots=True)
class Features:
    id: str
    path: str
    title: str
    kind: str
    started: datetime | None
    services: tuple[str, ...]
    teams: tuple[str, ...]
    tags: tuple[str, ...]
    factors: tuple[str, ...]
    related: tuple[str, ...]
    recurrence_of: str | None
    counts: Mapping[str, int]  # each term of `similar.document_text` and how often it occurs
    front_matter: bool = True  # a front-matter mapping was read (`Postmortem.lines`): there is something to compare

    @property
    def is_incident(self) -> bool:
        return self.kind == "incident"


def to_data(f: Features) -> dict[str, Any]:
    return {
        "id": f.id, "path": f.path, "title": f.title, "kind": f.kind,
        "started": f.started.isoformat() if f.started else None,
        **{name: list(getattr(f, name)) for name in _TUPLES},
        "recurrence_of": f.recurrence_of, "counts": dict(f.counts), "front_matter": f.front_matter,
    }


def from_data(data: object) -> Features:
    """The features `to_data` wrote; ValueError for anything else (a damaged or foreign entry)."""
    if not isinstance(data, dict) or set(data) != {"id", "path", "title", "kind", "started", *_TUPLES, "recurrence_of", "counts", "front_matter"}:
        raise ValueError("not a features entry")
    strings = [data["id"], data["path"], data["title"], data["kind"]]
    lists = [data[name] for name in _TUPLES]
    counts = data["counts"]
    if (
        not all(isinstance(s, str) for s in strings)
        or not all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in lists)
        or not (data["recurrence_of"] is None or isinstance(data["recurrence_of"], str))
        or not isinstance(data["front_matter"], bool)
        or not (data["started"] is None or isinstance(data["started"], str))
        or not isinstance(counts, dict)
        # Counted by type over the whole mapping (C loops): a run checks some 500,000 counts.
        or not set(map(type, counts)) <= {str}
        or not set(map(type, counts.values())) <= {int}
        or (counts and min(counts.values()) < 1)
    ):
        raise ValueError("a features entry with values of the wrong type")
    started = datetime.fromisoformat(data["started"]) if data["started"] is not None else None
    if started is not None and started.tzinfo is None:
        raise ValueError("a start without its time zone")
    return Features(*strings, started, *(tuple(v) for v in lists), data["recurrence_of"], counts, data["front_matter"])  # type: ignore[arg-type]
