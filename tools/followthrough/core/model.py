"""The parsed postmortem: frozen values with the source line of every field kept.

A Postmortem is built by `parse` even when some fields are wrong, so lint can report
everything at once; a field that failed to parse holds its empty value ("" / () / None).
Consumers other than lint (site, sync, report) only see postmortems without errors.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Mapping

STATUSES = ("draft", "in-review", "published")
KINDS = ("incident", "game-day", "near-miss")  # only incidents count in the incident figures
KIND_LABELS = {"incident": "incident", "game-day": "game day", "near-miss": "near miss"}  # as pages and reports say it
ITEM_STATUSES = ("open", "in-progress", "done", "wont-do")
ITEM_TYPES = ("prevent", "detect", "mitigate", "process")
SINGLE_ROLES = ("commander", "deputy", "scribe", "comms", "liaison")
ROLES = SINGLE_ROLES + ("sme",)
TIMES = ("started", "detected", "mitigated", "resolved")


@dataclass(frozen=True, slots=True)
class Roles:
    commander: str | None = None
    deputy: str | None = None
    scribe: str | None = None
    comms: str | None = None
    liaison: str | None = None
    sme: tuple[str, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    def holders(self) -> list[tuple[str, str]]:
        """(role, person) pairs, SMEs one pair each, in the canonical role order."""
        pairs = [(r, getattr(self, r)) for r in SINGLE_ROLES if getattr(self, r)]
        pairs.extend(("sme", p) for p in self.sme)
        return pairs

    def people(self) -> set[str]:
        return {p for _, p in self.holders()}


@dataclass(frozen=True, slots=True)
class Redate:
    """One move of an action item's due date: in the file (`redated:`) or seen in a tracker.

    A file entry is reviewed in the pull request that adds it; a tracker's is what a pull saw
    change there, with no reason unless the file later records the same move."""

    from_: date  # the due date before the move
    to: date  # the due date after it
    on: date  # when it was decided (file) or first seen (tracker)
    reason: str = ""
    approved_by: str | None = None
    source: str = "file"  # "file", or the name of the tracker destination it was seen in
    line: int = 0  # the entry's line in the file; 0 for a tracker's
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)  # each key's line, for findings

    @property
    def slip_days(self) -> int:
        return (self.to - self.from_).days

    @property
    def in_file(self) -> bool:
        """A reviewed `redated:` entry, with its reason; else a move only a tracker shows."""
        return self.source == "file"


@dataclass(frozen=True, slots=True)
class Decision:
    """Who decided that an item will not be done, when and why (`decision:`); required of a
    won't-do item of a severity whose items are non-negotiable."""

    by: str
    on: date | None
    reason: str
    line: int = 0
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Verified:
    """How a done item's fix was shown to work (`verified:`): a game day, a test, a metric.
    Done is a change made; verified is the failure shown not to come back."""

    on: date | None
    how: str
    line: int = 0
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class ActionItem:
    index: int  # position in the postmortem's list, 0-based
    line: int  # line of the item's first key
    title: str = ""
    owner: str = ""
    due: date | None = None
    priority: str | None = None
    type: str | None = None
    status: str = "open"
    id: str = ""  # the author's slug, or "item-<n>" (1-based) when none is given
    tracker: str | None = None
    ticket: str | None = None
    redated: tuple[Redate, ...] = ()  # oldest first; `due` is the last entry's `to`
    decision: Decision | None = None
    done_on: date | None = None  # for an item closed outside a tracker; the tracker's date wins
    verified: Verified | None = None  # for a done item: how the fix was shown to work
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    @property
    def original_due(self) -> date | None:
        """The due date first committed to: the first re-date's `from`, else `due`."""
        return self.redated[0].from_ if self.redated else self.due


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    when: datetime  # timezone-aware
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    """A heading as the site renders it."""

    title: str  # its source text as the renderer reads it (a trailing {: attr list} taken off)
    level: int
    line: int
    form: str = "atx"  # "atx" | "atx-no-space" | "setext" | "nested" (in a list item, quote, admonition)


@dataclass(frozen=True, slots=True)
class HiddenHeading:
    """A line that reads as a heading but is not one on the site."""

    title: str
    level: int
    line: int  # the heading-looking line
    cause_line: int  # where the fix belongs (a fence opener the site does not take, say)
    reason: str


@dataclass(frozen=True, slots=True)
class Postmortem:
    path: str  # as given to the parser; posix, relative to the repo when loaded from one
    id: str
    title: str = ""
    status: str = ""
    kind: str = "incident"
    severity: str = ""
    services: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    started: datetime | None = None
    detected: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    roles: Roles = field(default_factory=Roles)
    authors: tuple[str, ...] = ()
    reviewed: date | None = None
    related: tuple[str, ...] = ()  # ids of postmortems this one is related to (either way in time)
    recurrence_of: str | None = None  # the id of an earlier incident this one repeats
    factors: tuple[str, ...] = ()  # contributing factors, names from Settings.factors
    action_items: tuple[ActionItem, ...] = ()
    body: str = ""
    body_line: int = 1  # file line of the body's first line
    sections: tuple[Section, ...] = ()
    hidden_headings: tuple[HiddenHeading, ...] = ()
    code_lines: frozenset[int] = frozenset()  # file lines the site shows as code
    comment_lines: frozenset[int] = frozenset()  # file lines of HTML comments: not on the page
    false_fences: tuple[tuple[int, str], ...] = ()  # (line, why): a code block to GitHub, text on the site
    too_complex: tuple[tuple[int, str], ...] = ()  # (line, why): past a limit that keeps the build linear
    timeline: tuple[TimelineEntry, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    front_matter_line: int = 1  # line of the opening '---'

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.front_matter_line)

    @property
    def is_game_day(self) -> bool:
        return self.kind == "game-day"

    @property
    def is_near_miss(self) -> bool:
        return self.kind == "near-miss"

    @property
    def is_incident(self) -> bool:
        """An incident proper: game days and near misses are counted apart from it."""
        return self.kind == "incident"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class Person:
    handle: str
    name: str
    email: str | None = None
    github: str | None = None
    jira: str | None = None
    slack: str | None = None
    team: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Team:
    handle: str
    name: str
    line: int = 0
    manager: str | None = None  # a person's handle: whom overdue items of the team escalate to
    slack_channel: str | None = None  # a Slack channel id (C0123ABC) for the team's review post


@dataclass(frozen=True, slots=True)
class Directory:
    """The people directory. `present` is False when no file exists: then any one handle is accepted."""

    people: Mapping[str, Person] = field(default_factory=dict)
    teams: Mapping[str, Team] = field(default_factory=dict)
    present: bool = False
    path: str = ""

    def display_name(self, handle: str) -> str:
        person = self.people.get(handle)
        return person.name if person else handle

    def manager_of(self, team: str | None) -> Person | None:
        """The team's manager as a Person (one named by handle when not in the directory)."""
        found = self.teams.get(team) if team else None
        if found is None or not found.manager:
            return None
        return self.people.get(found.manager) or Person(found.manager, found.manager)


@dataclass(frozen=True, slots=True)
class TicketState:
    """What the tracker last said about one action item's ticket (the state file's entry)."""

    ticket: str
    url: str = ""
    status: str = "open"
    tracker_status: str = ""
    done_on: date | None = None
    assignee: str | None = None
    due: date | None = None
    checked: date | None = None
    # Moves of the tracker's due date seen by pulls, oldest first (see TrackerRedate).
    redates: tuple[TrackerRedate, ...] = ()
    # What sync last wrote to (or found on) the ticket from the file: a file edit that differs
    # from these is a reviewed change to push; None for an entry written before they were kept.
    pushed_due: date | None = None
    pushed_owner: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("done_on", "due", "checked", "pushed_due"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        # The newer keys only when they hold something: the state file is committed and diffed.
        data["redates"] = [r.to_json() for r in self.redates]
        for key in ("redates", "pushed_due", "pushed_owner"):
            if not data[key]:
                del data[key]
        return data

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> TicketState:
        """The value as the tracker state file holds it; ValueError/KeyError/TypeError on a malformed entry."""
        status = value.get("status", "open")
        if status not in ITEM_STATUSES:
            raise ValueError(f"status {status!r} is not one of {list(ITEM_STATUSES)}")

        def day(key: str) -> date | None:
            v = value.get(key)
            return date.fromisoformat(v) if v else None

        def text(key: str) -> str | None:
            # A handle or a key compared and looked up as text: a number or a list there is damage.
            v = value.get(key)
            if v is not None and not isinstance(v, str):
                raise TypeError(f"{key} must be text, not {type(v).__name__}")
            return v

        ticket = text("ticket")
        if not ticket:
            raise ValueError("ticket is empty")
        redates = value.get("redates") or ()
        if not isinstance(redates, (list, tuple)):
            raise TypeError(f"redates must be a list, not {type(redates).__name__}")
        return cls(
            ticket=ticket,
            url=str(value.get("url") or ""),
            status=status,
            tracker_status=str(value.get("tracker_status") or ""),
            done_on=day("done_on"),
            assignee=text("assignee"),
            due=day("due"),
            checked=day("checked"),
            redates=tuple(TrackerRedate.from_json(r) for r in redates),
            pushed_due=day("pushed_due"),
            pushed_owner=text("pushed_owner"),
        )


@dataclass(frozen=True, slots=True)
class TrackerRedate:
    """A change of a ticket's due date that a pull saw: from one pulled value to the next."""

    from_: date | None  # None: the ticket had no due date before
    to: date | None  # None: the due date was cleared
    seen: date  # the day of the pull that saw it
    destination: str = ""  # the destination's name, as sync's routing calls it

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.from_.isoformat() if self.from_ else None,
            "to": self.to.isoformat() if self.to else None,
            "seen": self.seen.isoformat(),
            "destination": self.destination,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> TrackerRedate:
        """ValueError/KeyError/TypeError on a malformed entry."""
        if not isinstance(value, Mapping):
            raise TypeError(f"a re-date entry is a mapping, not {type(value).__name__}")

        def day(key: str) -> date | None:
            v = value.get(key)
            return date.fromisoformat(v) if v else None

        seen = day("seen")
        if seen is None:
            raise KeyError("seen")
        destination = value.get("destination") or ""
        if not isinstance(destination, str):
            raise TypeError(f"a re-date's destination must be text, not {type(destination).__name__}")
        return cls(day("from"), day("to"), seen, destination)


@dataclass(frozen=True)
class PendingCreate:
    """A create sent to a tracker whose outcome is not known yet (the state file's `pending`).

    Written before the request goes out, so a crash or a lost reply leaves a record; a later
    run links the ticket its marker finds, or sends the create again only when the tracker's
    look-up is known to see it (see `core.sync.converge`). `ticket` and `number` are filled in
    when the reply came but the ticket could not be written into the file."""

    destination: str
    marker: str
    since: datetime  # when the request was sent, UTC
    why: str = ""  # what left the outcome open: "no answer within 30 s"
    ticket: str | None = None
    number: int | None = None  # Jira's issue id, to read it back consistently

    def to_json(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "marker": self.marker,
            "since": self.since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "why": self.why,
            "ticket": self.ticket,
            "number": self.number,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> PendingCreate:
        """ValueError/KeyError/TypeError on a malformed entry."""
        since = datetime.fromisoformat(str(value["since"]).replace("Z", "+00:00"))
        if since.tzinfo is None:
            raise ValueError(f"since {value['since']!r} has no time zone")
        number = value.get("number")
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)):
            raise ValueError(f"number {number!r} is not an issue id")
        ticket = value.get("ticket")
        return cls(
            destination=str(value["destination"]),
            marker=str(value["marker"]),
            since=since,
            why=str(value.get("why") or ""),
            ticket=str(ticket) if ticket else None,
            number=number,
        )


def state_key(postmortem_id: str, item_id: str) -> str:
    """The state file's key of an action item: "<postmortem id>/<action item id>"."""
    return f"{postmortem_id}/{item_id}"
