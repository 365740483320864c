"""One sync run, the shell around `core.sync`: plan, then per destination look up, converge,
create and pull through the tracker clients, write each `ticket:` back and the state file.

Per destination, in order: connect (one read); look up the marker of every item, linked or
not (Jira: label searches, 100 a request; GitHub: the issue listing), so that every ticket
carrying one is seen; decide per item (`core.sync.converge`): keep or link one ticket and
close the other open ones as its duplicates, create, or wait for a pending create; read the
status of every linked ticket not already read; map it into the state file and report
drift. Each create is recorded as pending in the state file before it is sent, so a crash or
a lost reply is looked for by a later run instead of being sent again. A failure stays with
its item; a destination that refuses us gets no further request; the other destinations go on.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from typing import Callable, ContextManager, Mapping, Protocol, Sequence, TypeVar

from followthrough.core.errors import FollowthroughError, TrackerError
from followthrough.core.model import PendingCreate, Postmortem, TicketState
from followthrough.core.sync.config import Destination, Trackers
from followthrough.core.sync.converge import Create, Decision, Keep, Link, Refuse, Relink, Wait, closes, decide, fold
from followthrough.core.sync.description import new_ticket
from followthrough.core.sync.plan import Plan, Work, plan as plan_sync, unread_paths
from followthrough.core.sync.push import Push, plan_push, pushed
from followthrough.core.sync.reconcile import drift, handle_of, kept_entries, state_entry, superseded, unrecorded_redates
from followthrough.core.sync.refusal import refusal
from followthrough.core.sync.tickets import RemoteTicket, Tracker, TrackerFailure
from followthrough.core.ticket_refs import ticket_reference
from followthrough.files.repo import Repo
from followthrough.files.state import render_items, render_state, write_state
from followthrough.files.writeback import WritebackError, write_ticket
from followthrough.trackers.counting import RequestCounter
from followthrough.trackers.github_tracker import GitHubTracker
from followthrough.trackers.jira_tracker import JiraTracker
from followthrough.trackers.retry import SYSTEM_CLOCK, Clock, RetryPolicy

ONLY = ("create", "pull")
T = TypeVar("T")


class Progress(Protocol):
    """How a run shows itself as it goes (the CLI's `cli.progress.Progress`): one event a line,
    a group per destination, a task per phase whose callable marks one step done."""

    def line(self, text: str) -> None: ...

    def group(self, title: str) -> ContextManager[None]: ...

    def task(self, label: str, total: int) -> ContextManager[Callable[[], None]]: ...


@dataclass
class DestinationReport:
    name: str
    where: str
    created: int = 0
    linked: int = 0
    would_create: int = 0
    would_link: int = 0
    closed: int = 0  # duplicates closed (or, where the workflow cannot close them, marked)
    would_close: int = 0
    waiting: int = 0  # pending creates not found yet
    pulled: int = 0
    changed: int = 0
    updated: int = 0  # tickets given a reviewed change of the file (due date, owner)
    would_update: int = 0
    failed: int = 0
    requests: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


@dataclass
class Summary:
    destinations: dict[str, DestinationReport] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # what was closed as a duplicate of what
    pending: list[str] = field(default_factory=list)  # creates whose outcome is still unknown
    pushed: list[str] = field(default_factory=list)  # reviewed changes of the files written to tickets
    state_written: bool | None = None  # None: not touched this run
    state_entries: int = 0
    state_error: str | None = None  # the state file could not be written (exit 2, after the summary)
    waits: list[float] = field(default_factory=list)
    asked_waits: int = 0  # of the waits, those the server asked for (Retry-After)

    @property
    def ok(self) -> bool:
        return not self.failures


TrackerFactory = Callable[[Destination, Trackers, RetryPolicy, RequestCounter], Tracker]


def make_tracker(dest: Destination, trackers: Trackers, policy: RetryPolicy, counter: RequestCounter) -> Tracker:
    token = trackers.token(dest.name)
    if dest.is_jira:
        return JiraTracker(dest, token, policy, counter, trackers.timeout)
    return GitHubTracker(dest, token, policy, counter, trackers.timeout, trackers.label)


class _Claims:
    """Refs other items name: a ref counts as another's when any item but `own` names it."""

    def __init__(self, counts: Counter[str], own: str | None) -> None:
        self.counts, self.own = counts, own

    def __contains__(self, ref: object) -> bool:
        return self.counts.get(str(ref), 0) - (ref == self.own) > 0


class SyncEngine:
    def __init__(
        self,
        repo: Repo,
        states: Mapping[str, TicketState],
        trackers: Trackers,
        progress: Progress,
        *,
        pending: Mapping[str, PendingCreate] | None = None,
        only: str | None = None,
        dry_run: bool = False,
        today: date,
        shown: Callable[[str], str] = str,
        restricted: bool = False,
        factory: TrackerFactory = make_tracker,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        assert only in (None, *ONLY)
        self.repo = repo
        self.old_state = dict(states)  # the state file as the workspace read it
        self.pending = dict(pending or {})  # creates of unknown outcome, kept in the state file
        self.trackers = trackers
        self.progress = progress
        self.only = only
        self.dry_run = dry_run
        self.today = today
        self.shown = shown
        self.restricted = restricted  # PATH arguments: state entries of other postmortems are kept
        self.factory = factory
        self.policy = RetryPolicy(trackers.retries, trackers.backoff, trackers.max_wait, clock)
        self.counter = RequestCounter()
        self.summary = Summary()
        settings = repo.config.settings
        self.state_path = repo.config.root / settings.state_file
        self.state_existed = self.state_path.exists()
        self._old_items_text: str | None = None  # `old_state` rendered, for the records of each create
        # The file as this run found it (as rendered: a file sync wrote reads back the same).
        self._initial_text = render_state(self.old_state, self.pending) if self.state_existed else None
        self.new_state: dict[str, TicketState] = {}
        self.linked_now: set[str] = set()  # items given a ticket by this run
        self.created_now: set[str] = set()  # items whose ticket this run created
        self.refused: set[str] = set()  # items refused a relink: their state entry is what refuses it
        # item key -> the ticket it names now, as written (None: unreadable); written as the state
        # entries are (`#12`, not `acme/web#12`), so an entry of the same ticket is never taken for stale
        self.refs: dict[str, str | None] = {}
        self.state_claims: Counter[str] = Counter()  # folded tickets of state entries no item of this run accounts for
        self.elsewhere: dict[str, Counter[str]] = {}  # destination -> folded tickets the items routed elsewhere name

    # -- planning --------------------------------------------------------------------------
    def plan(self) -> Plan:
        plan = plan_sync(
            self.repo.postmortems, self.repo.errors, self.repo.config.settings.mirror_statuses, self.trackers, self.repo.directory, self.shown, pending=self.pending
        )
        self.summary.failures.extend(plan.failures)
        self.summary.skipped.extend(plan.skipped)
        self.summary.notes.extend(plan.notes)
        return plan

    # -- running ---------------------------------------------------------------------------
    def run(self) -> Summary:
        plan = self.plan()
        works = plan.works
        self.new_state = dict(self.old_state)
        keys = {w.key for w in works}
        self.state_claims = Counter(ref for key, entry in self.old_state.items() if key not in keys for ref in _claimed(entry))
        by_destination, lost = plan.by_destination()
        # The marker look-up of a Jira destination searches every project, so it finds tickets the
        # items of another destination on the same site name (keys are unambiguous across them).
        written = Counter(fold(w.ticket) for w in works if w.ticket and w.destination)
        self.elsewhere = {name: written - Counter(fold(w.ticket) for w in ws if w.ticket) for name, ws in by_destination.items()}
        for w in lost:
            self._fail(None, w, w.route_problem or "no destination")
        with self.counter.attached():
            for name in sorted(by_destination):
                dest = self.trackers.destinations[name]
                report = DestinationReport(name, dest.where)
                self.summary.destinations[name] = report
                started = time.perf_counter()
                with self.counter.destination(name), self.progress.group(f"{name}: {dest.where}"):
                    self._run_destination(dest, by_destination[name], report)
                report.seconds = time.perf_counter() - started
                report.requests = self.counter.of(name)
        self.summary.waits = list(self.policy.waits)
        self.summary.asked_waits = self.policy.asked
        self._finish_state(works)
        return self.summary

    def _fail(self, report: DestinationReport | None, w: Work, message: str) -> None:
        if report is not None:
            report.failed += 1
        self.summary.failures.append(f"{w.where}: {message}")

    def _run_destination(self, dest: Destination, works: list[Work], report: DestinationReport) -> None:
        done: set[str] = set()  # keys of the items finished here, so a refusal fails only the rest
        try:
            self._sync_destination(dest, works, report, done)
        except _DestinationDown as down:
            rest = len([w for w in works if w.key not in done])
            report.failed += rest
            self.summary.failures.append(f"{dest.name}: {down}; nothing more was sent there ({rest} item(s) not synced)")
        except Exception as exc:  # noqa: BLE001 - a reply neither client expected
            # One destination answering nonsense must not stop the others or lose the state file.
            # Only the type is named: a client's own message may quote the request it sent.
            report.failed += 1
            self.summary.failures.append(f"{dest.name}: unexpected reply from {dest.where} ({type(exc).__name__}); is the URL the API's?")

    def _guard(self, dest: Destination, call: Callable[[], T], *, one_ticket: bool = False) -> T:
        """Run one tracker call; a refusal (see `core.sync.refusal`) stops the destination."""
        try:
            return call()
        except TrackerFailure as failure:
            why = refusal(failure, dest, self.trackers.max_wait, one_ticket=one_ticket)
            if why is not None:
                raise _DestinationDown(why) from None
            raise

    def _sync_destination(self, dest: Destination, works: list[Work], report: DestinationReport, done: set[str]) -> None:
        tracker = self.factory(dest, self.trackers, self.policy, self.counter)
        try:
            self._guard(dest, tracker.connect)
        except TrackerFailure as failure:
            report.failed += len(works)
            done.update(w.key for w in works)
            self.summary.failures.append(f"{dest.name}: {failure} ({len(works)} item(s) not synced)")
            return
        named: dict[str, str] = {}
        current: list[Work] = []
        for w in works:
            if w.ticket:
                ref = tracker.normalize_ref(w.ticket)
                self.refs[w.key] = w.ticket if ref is not None else None
                if ref is None:
                    self._fail(report, w, f"ticket: {w.ticket!r} is not a ticket of {dest.where}")
                    done.add(w.key)
                    continue
                named[w.key] = ref
            current.append(w)
        # Tickets no item but the one at hand may be given or have closed: those the files name
        # (for this destination and others), and those the state file gives items this run does
        # not read (other postmortems of a PATH run, removed items).
        claims = self.state_claims + self.elsewhere.get(dest.name, Counter()) + Counter(fold(ref) for ref in named.values())
        linked: list[tuple[Work, str]] = []
        seen: dict[str, RemoteTicket] = {}  # folded ref -> as the look-up read it
        created: dict[str, RemoteTicket] = {}  # ref -> as its create answered
        if self.only != "pull":
            linked = self._converge(tracker, dest, current, named, claims, report, done, seen, created)
        else:
            linked = [(w, named[w.key]) for w in current if w.key in named]
            unlinked = len(current) - len(linked)
            if unlinked:
                self.summary.notes.append(f"{dest.name}: {unlinked} item(s) without a ticket were left for a run without --only pull to link or create")
        if self.only != "create":
            self._pull_phase(tracker, dest, linked, report, done, seen, created)
        done.update(w.key for w in works)

    # -- look up, converge, create ---------------------------------------------------------
    def _converge(
        self,
        tracker: Tracker,
        dest: Destination,
        works: list[Work],
        named: Mapping[str, str],
        claims: Counter[str],
        report: DestinationReport,
        done: set[str],
        seen: dict[str, RemoteTicket],
        created: dict[str, RemoteTicket],
    ) -> list[tuple[Work, str]]:
        """Every item ends with one ticket, or a failure or a pending create that says why not."""
        if not works:
            return []
        pending = {w.key: p for w in works if (p := self.pending.get(w.key)) is not None and p.destination == dest.name}
        known = {p.marker: p.number for p in pending.values() if p.number is not None}
        try:
            hits = self._guard(dest, lambda: tracker.find_markers([w.marker for w in works], known))
        except TrackerFailure as failure:
            unlinked = [w for w in works if w.key not in named]
            report.failed += len(unlinked)
            done.update(w.key for w in unlinked)
            self.summary.failures.append(
                f"{dest.name}: markers could not be looked up in {dest.where}, so nothing was created, linked or closed there "
                f"({len(unlinked)} item(s) without a ticket wait for the next sync): {failure}"
            )
            return [(w, named[w.key]) for w in works if w.key in named]
        for tickets in hits.values():
            for t in tickets:
                seen[fold(t.ref)] = t
        current = self._current_refs(tracker, dest, works, named, hits, report)
        linked: list[tuple[Work, str]] = []
        now = datetime.fromtimestamp(self.policy.clock.now(), timezone.utc)
        with self.progress.task(f"{dest.name}: link and create", len(works)) as step:
            for w in works:
                own = named.get(w.key)
                marked = hits.get(w.marker, [])
                if own is not None and own in current:
                    now_named = current[own]
                    if now_named is None:
                        marked = []  # not known whether the others are the named ticket under a new key: close none
                    elif now_named.markers and w.marker not in now_named.markers:
                        # The named ticket was made for another item: ids by position shifted (an item
                        # without `id` was removed or inserted), so the tickets carrying this item's
                        # marker were made for the item that had its id before. Not duplicates.
                        shown = ", ".join(h.ref for h in marked if h.is_open)
                        self.summary.notes.append(
                            f"{w.where}: names {own}, which carries another item's marker; {shown} carries this item's and is left open: "
                            f"ids by position shift when an item without `id` is removed or inserted, so it was made for the item that "
                            f"had this one's place; close it by hand if that item is gone"
                        )
                        marked = []
                    else:
                        own = now_named.ref
                        if all(fold(h.ref) != fold(own) for h in marked):
                            # Decided with it: one a run elsewhere marked as a duplicate (its marker label
                            # taken off) must not have the open one closed too, which would leave the item none.
                            marked = [*marked, now_named]

                def decided(found: Sequence[RemoteTicket], w: Work = w, own: str | None = own) -> Decision:
                    return decide(
                        own,
                        found,
                        _Claims(claims, fold(own) if own else None),
                        self.old_state.get(w.key),
                        pending.get(w.key),
                        consistent=tracker.consistent,
                        now=now,
                        settle=self.trackers.settle_minutes * 60,
                    )

                decision = decided(marked)
                held = False  # a move off a duplicate not made, for the tickets could not be read again
                if closes(decision):
                    # The look-up may be behind (Jira Cloud's lags; GitHub's listing was read when the
                    # run began): a ticket it shows open may have been closed since by a run on another
                    # machine, which then keeps the other. Closing on that would leave the item no open
                    # ticket; decide again on the tickets as they are now.
                    fresh = self._read_now(tracker, dest, w, own, marked, seen, decision)
                    if fresh is not None:
                        decision = decided(fresh)
                    elif isinstance(decision, Relink):
                        # Nor is its named ticket pulled: a closed duplicate's status would record the
                        # item as wont-do while its work goes on in the other. Its state entry stays.
                        held = True
                    else:
                        decision = _holding(decision)
                if held:
                    pass
                elif isinstance(decision, Keep):
                    self._close(tracker, dest, w, decision.ref, decision.duplicates, report)
                    self._settled(w)
                    linked.append((w, decision.ref))
                elif isinstance(decision, (Link, Relink)):
                    ref = decision.ticket.ref
                    moved = decision.replaces if isinstance(decision, Relink) else None
                    if self.dry_run:
                        report.would_link += 1
                        self.progress.line(f"would relink {w.where} from {moved} (a duplicate) to {ref}" if moved else f"would link {w.where} -> {ref} (found by its marker)")
                    elif self._write_back(w, ref, report, "relinked" if moved else "linked"):
                        report.linked += 1
                        self._settled(w)
                        self.refs[w.key] = ref
                        linked.append((w, ref))
                        if moved:
                            self.summary.duplicates.append(f"{w.where}: named {moved}, which is a duplicate; now names {ref}, which carries its marker and is open")
                    self._close(tracker, dest, w, ref, decision.duplicates, report)
                elif isinstance(decision, Refuse):
                    self._fail(report, w, decision.message)
                    self.refused.add(w.key)  # its state entry stays, so the next run refuses too
                elif isinstance(decision, Wait):
                    report.waiting += 1
                    self.summary.pending.append(f"{w.where}: {decision.message}")
                elif w.finished:
                    # Done in its file, and the create of unknown outcome made nothing the look-up can
                    # see: the item needs no ticket, so none is made and the record is forgotten.
                    assert isinstance(decision, Create)
                    if not self.dry_run:
                        self._drop_pending(w.key)
                    self.summary.notes.append(f"{w.where}: is {w.item.status} in its file and its earlier create made no ticket: none is made")
                else:
                    assert isinstance(decision, Create)
                    remote = self._create(tracker, dest, w, report)
                    if remote is not None:
                        created[remote.ref] = remote
                        linked.append((w, remote.ref))
                if not linked or linked[-1][0] is not w:
                    done.add(w.key)  # nothing left to do for it here; a linked one is done once pulled
                step()
        return linked

    def _read_now(
        self, tracker: Tracker, dest: Destination, w: Work, own: str | None, marked: Sequence[RemoteTicket], seen: dict[str, RemoteTicket], decision: Decision
    ) -> list[RemoteTicket] | None:
        """The tickets `marked` (those carrying `w`'s marker, and the one it names) as they are now:
        read by key, with their ids to reconcile (Jira Cloud answers those from the database, not
        its lagging index). None when they could not be read: then nothing is closed."""
        try:
            result = self._guard(dest, lambda: tracker.fetch([h.ref for h in marked], {h.ref: h.number for h in marked if h.number}))
        except TrackerFailure as failure:
            undone = f"not moved from {decision.replaces} (a duplicate) to {decision.ticket.ref}" if isinstance(decision, Relink) else "its duplicates were not closed"
            self.summary.notes.append(f"{w.where}: {undone}: they could not be read again ({failure}); the next sync tries again")
            return None
        fresh = [t for t in result.found.values() if w.marker in t.markers or (own is not None and fold(t.ref) == fold(own))]
        for t in fresh:
            seen[fold(t.ref)] = t
        return fresh

    def _current_refs(
        self, tracker: Tracker, dest: Destination, works: Sequence[Work], named: Mapping[str, str], hits: Mapping[str, Sequence[RemoteTicket]], report: DestinationReport
    ) -> dict[str, RemoteTicket | None]:
        """Each named ticket as it is now, for the items whose named ticket is not among the
        open tickets carrying their marker while others are: a Jira issue moved to another project
        (or a renamed project) has a new key, which the look-up shows, while the file's old key
        still finds it. Without this, the item's own ticket would be closed as a duplicate of
        itself. None: it could not be read, or does not exist (the pull says so): then no
        duplicate of that item is closed this run, since closing them would leave it none."""
        doubtful = []
        for w in works:
            own = named.get(w.key)
            marked = hits.get(w.marker, [])
            if own is not None and all(fold(h.ref) != fold(own) for h in marked) and any(h.is_open for h in marked):
                doubtful.append(own)
        if not doubtful:
            return {}
        try:
            result = self._guard(dest, lambda: tracker.fetch(doubtful))
        except TrackerFailure as failure:
            self.summary.failures.append(f"{dest.name}: {len(doubtful)} linked ticket(s) could not be read, so their duplicates were not closed: {failure}")
            report.failed += 1
            return dict.fromkeys(doubtful)
        return {ref: result.found.get(ref) for ref in doubtful}

    def _close(self, tracker: Tracker, dest: Destination, w: Work, kept: str, duplicates: Sequence[RemoteTicket], report: DestinationReport) -> None:
        """Close the open tickets carrying `w`'s marker as duplicates of `kept`; never delete one."""
        for dup in duplicates:
            if self.dry_run:
                report.would_close += 1
                self.progress.line(f"would close {dup.ref} as a duplicate of {kept} ({w.where})")
                continue
            why = f"followthrough sync found more than one ticket for the action item {w.item.id} of {w.pm.path}."
            closing = functools.partial(tracker.close_duplicate, dup, kept, why)
            try:
                outcome = self._guard(dest, closing, one_ticket=True)
            except TrackerFailure as failure:
                self._fail(report, w, f"{dup.ref} duplicates {kept} and could not be closed: {failure}")
                continue
            if outcome.already:
                continue  # closed or marked a moment ago; the search that showed it open lags
            report.closed += 1
            done = "closed" if outcome.closed else "marked"
            self.summary.duplicates.append(f"{w.where}: {done} {dup.ref} as a duplicate of {kept}" + (f"; {outcome.note}" if outcome.note else ""))
            self.progress.line(f"{done} {dup.ref} as a duplicate of {kept}")

    def _create(self, tracker: Tracker, dest: Destination, w: Work, report: DestinationReport) -> RemoteTicket | None:
        ticket, notes = new_ticket(
            w.pm, w.item, dest, self.trackers, self.repo.directory, site_url=self.repo.config.site_url, docs_path=self._docs_path(w.pm), use_directory_urls=self.repo.config.use_directory_urls
        )
        self.summary.notes.extend(f"{w.where}: {n}" for n in notes)
        if self.dry_run:
            report.would_create += 1
            self.progress.line(f"would create {w.where} -> {dest.where}: {w.item.title}")
            return None
        if self.summary.state_error is not None:
            self._fail(report, w, "not created: a create whose answer is lost could not be recorded, because the state file cannot be written (see below)")
            return None
        # Recorded before it is sent: a crash or a lost reply leaves a record for the next run.
        entry = PendingCreate(dest.name, w.marker, datetime.fromtimestamp(self.policy.clock.now(), timezone.utc), why="the run ended before an answer came")
        if not self._record_pending(w.key, entry):
            self._fail(report, w, "not created: a create whose answer is lost could not be recorded, because the state file cannot be written (see below)")
            return None
        try:
            try:
                remote = self._guard(dest, lambda: self.policy.send(lambda: tracker.create(ticket)))
            except TrackerFailure as failure:
                if not (ticket.assignee and not failure.ambiguous and {"assignee", "assignees"} & set(failure.fields)):
                    raise
                # The tracker refused the assignee alone (an unknown account, or one that may not
                # be assigned there), so nothing was made: the item is not to go without a ticket for it.
                self.summary.notes.append(
                    f"{w.where}: {dest.name} refused {ticket.assignee!r} as the assignee ({w.item.owner}'s "
                    f"`{'jira' if dest.is_jira else 'github'}` id in the people directory): {failure.reply or failure}; the create is sent again without an assignee"
                )
                unassigned = replace(ticket, assignee=None)
                remote = self._guard(dest, lambda: self.policy.send(lambda: tracker.create(unassigned)))
        except TrackerFailure as failure:
            if failure.ambiguous:
                self._record_pending(w.key, replace(entry, why=failure.reason or failure.message))
                self._fail(
                    report,
                    w,
                    f"may have been created, and is not sent again now: {failure}; the next sync links the ticket by its marker, "
                    "or creates it when the tracker shows it was not",
                )
            else:
                self._drop_pending(w.key)
                self._fail(report, w, f"not created: {failure}")
            return None
        except _DestinationDown:
            self._drop_pending(w.key)  # refused: nothing was created
            raise
        self.created_now.add(w.key)
        if self._write_back(w, remote.ref, report, "created"):
            report.created += 1
            self._settled(w)  # in the file now: the record goes with the next write of the state file
        else:
            # Made but not written back: keep its key and id, so the next run reads it back at
            # once, even through a lagging search. (A crash before this line leaves the record
            # without them: the next run then finds the ticket by its marker.)
            self._record_pending(w.key, replace(entry, ticket=remote.ref, number=remote.number or None))
        return remote

    def _settled(self, w: Work) -> None:
        """The item's ticket is in its file: any pending create of it is accounted for."""
        self.pending.pop(w.key, None)

    def _record_pending(self, key: str, entry: PendingCreate) -> bool:
        self.pending[key] = entry
        return self._save()

    def _drop_pending(self, key: str) -> None:
        if self.pending.pop(key, None) is not None:
            self._save()

    def _save(self) -> bool:
        """Write the state file (durably) with the entries as they were and the pending creates as
        they are: False, with the summary saying why, when it cannot be."""
        if self._old_items_text is None:
            self._old_items_text = render_items(self.old_state)  # once a run, not once a create
        return self._write(self.old_state, self._old_items_text)

    def _write(self, items: Mapping[str, TicketState], items_text: str) -> bool:
        try:
            write_state(self.state_path, items, root=self.repo.config.root, pending=self.pending, items_text=items_text)
        except (OSError, FollowthroughError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.summary.state_error = f"{self.shown(str(self.state_path))}: the tracker state file cannot be written: {reason}"
            return False
        return True

    def _write_back(self, w: Work, ref: str, report: DestinationReport, verb: str) -> bool:
        try:
            write_ticket(self.repo.file_of(w.pm), w.item.index, ref, expected_title=w.item.title, root=self.repo.config.root)
        except (WritebackError, OSError) as exc:
            self._fail(report, w, f"{verb} {ref} but could not write `ticket: {ref}` into the file: {exc}; the next sync links it")
            return False
        self.linked_now.add(w.key)
        self.progress.line(f"{verb} {w.where} -> {ref}")
        return True

    def _docs_path(self, pm: Postmortem) -> str:
        try:
            return self.repo.docs_path(pm)
        except ValueError:
            return pm.path

    # -- pull ------------------------------------------------------------------------------
    def _pull_phase(
        self,
        tracker: Tracker,
        dest: Destination,
        linked: list[tuple[Work, str]],
        report: DestinationReport,
        done: set[str],
        seen: Mapping[str, RemoteTicket],
        created: Mapping[str, RemoteTicket],
    ) -> None:
        """The status of every linked ticket: from the marker look-up where it was read there,
        else in batches; tickets written by this run are read as they are now (`known`)."""
        if not linked:
            return
        fresh = {fold(ref) for ref in created}
        wanted = [ref for _, ref in linked if fold(ref) not in seen or fold(ref) in fresh]
        known: dict[str, int] = {}
        if not tracker.consistent:
            # Only a lagging search needs them: GitHub's listing has this run's creates from their
            # answers already, and reading them there one by one would cost a request each.
            known = {ref: t.number for ref, t in created.items() if t.number}
            known.update({p.ticket: p.number for p in self.pending.values() if p.destination == dest.name and p.ticket and p.number})
        result = None
        if wanted:
            with self.progress.task(f"{dest.name}: pull", 1) as step:
                try:
                    result = self._guard(dest, lambda: tracker.fetch(wanted, known))
                except TrackerFailure as failure:
                    self.summary.failures.append(f"{dest.name}: the status of {len(wanted)} ticket(s) was not read (the state file keeps what it had): {failure}")
                    report.failed += len(wanted)
                    done.update(w.key for w, ref in linked if ref in wanted)
                step()
        missing = set(result.missing) if result else set()
        asked = set(wanted)
        read: list[tuple[Work, RemoteTicket]] = []
        for w, ref in linked:
            if w.key in done:
                continue
            done.add(w.key)
            remote = (result.found.get(ref) if result else None) if ref in asked else seen.get(fold(ref))
            if remote is None and ref in created:
                remote = created[ref]  # just created: never "missing", whatever a lagging search says
            if remote is None:
                why = "does not exist (deleted, moved, or not visible to this token)" if ref in missing else "was not returned"
                self._fail(report, w, f"{ref} {why} in {dest.where}; fix or remove `ticket:`")
                continue
            read.append((w, remote))
        if not tracker.consistent:
            read = self._confirm_moves(tracker, dest, read)
        for w, remote in read:
            report.pulled += 1
            if self._record(tracker, w, remote, dest, report):
                report.changed += 1

    def _confirm_moves(self, tracker: Tracker, dest: Destination, read: list[tuple[Work, RemoteTicket]]) -> list[tuple[Work, RemoteTicket]]:
        """On a lagging search (Jira Cloud), the tickets whose due date or assignee differs from
        the one their entry recorded, read again as they are now (`reconcileIssues`) before the
        move is taken for a re-date in the tracker, or the assignee for drift: the search may
        still show a ticket as it was before the last run pushed a date or an owner to it. Costs
        a read only when such a difference is seen."""
        directory = self.repo.directory
        doubtful = []
        for w, remote in read:
            old = self.old_state.get(w.key)
            if old is None or fold(old.ticket) != fold(remote.ref) or not remote.number:
                continue
            if old.due != remote.due or old.assignee != handle_of(directory, remote.assignee, dest):
                doubtful.append(remote)
        if not doubtful:
            return read
        try:
            fresh = self._guard(dest, lambda: tracker.fetch([t.ref for t in doubtful], {t.ref: t.number for t in doubtful})).found
        except TrackerFailure:
            return read  # as the search showed them; a real move is seen again by the next sync
        return [(w, fresh.get(remote.ref, remote)) for w, remote in read]

    def _record(self, tracker: Tracker, w: Work, remote: RemoteTicket, dest: Destination, report: DestinationReport) -> bool:
        """The item's state entry from its ticket as read, after pushing the file's reviewed changes
        to it (`core.sync.push`); drift and tracker re-dates are reported from the ticket as it then is."""
        old = self.old_state.get(w.key)
        # As the file now has it: as written for a ticket it named, the new one after a (re)link.
        ticket = self.refs.get(w.key) or remote.ref
        directory = self.repo.directory
        entry = state_entry(old, ticket, remote, directory, dest, self.today)
        push = plan_push(w.item, old, ticket, remote, directory, dest)
        if push.note:
            self.summary.notes.append(f"{w.where}: {push.note}")
        after, due_done, owner_done = remote, not push.write_due, not push.write_assignee
        if push.writes:
            if self.dry_run:
                report.would_update += 1
                self.summary.pushed.append(f"{w.where} ({remote.ref}): would update: {push.described()}")
                self.progress.line(f"would update {remote.ref} from {w.where}: {push.described()}")
                # The ticket as the push would leave it: a change the run would write is not drift.
                after, due_done, owner_done = pushed(remote, push, due=push.write_due, assignee=push.write_assignee), True, True
            else:
                after, due_done, owner_done = self._push(tracker, dest, w, remote, push, report)
        if w.key in self.created_now and w.item.due is not None and (after.due != w.item.due or after.due_unfilled):
            # Made, but its due date did not go in (GitHub's issue field refused it): recorded as not
            # pushed, so the next sync writes it.
            due_done = False
            self.summary.notes.append(f"{w.where}: {remote.ref} was created without its due date {w.item.due} in {dest.name}; the next sync writes it")
        redates = entry.redates
        if push.write_due and due_done and not self.dry_run:
            redates, dropped = superseded(redates, w.item)
            moves = ", ".join(f"{r.from_} -> {r.to}" for r in dropped if r.from_ is not None and r.to is not None)
            if moves:
                self.summary.notes.append(f"{w.where}: the move made in {dest.name} ({moves}) gave way to the reviewed due date {push.due}; it is no longer listed as a re-date in the tracker")
        entry = replace(
            entry,
            due=after.due,
            assignee=handle_of(directory, after.assignee, dest),
            pushed_due=push.record_due if due_done else entry.pushed_due,
            pushed_owner=push.record_owner if owner_done else entry.pushed_owner,
            redates=redates,
        )
        self.new_state[w.key] = entry
        self.summary.drift.extend(drift(w.item, w.shown, after, directory, dest))
        self.summary.drift.extend(unrecorded_redates(w.item, w.shown, entry, dest))
        return old != entry

    def _push(self, tracker: Tracker, dest: Destination, w: Work, remote: RemoteTicket, push: Push, report: DestinationReport) -> tuple[RemoteTicket, bool, bool]:
        """Write `push` to the ticket: the ticket as it is afterwards, and whether the due date and
        the owner went in. A refusal fails the item (exit 1) and the rest goes on; the entry then
        keeps what was pushed before, so the next sync tries again. When only the assignee is
        refused, the due date is sent on its own."""
        ref = remote.ref
        try:
            after = self._guard(dest, lambda: tracker.update(remote, push.update()), one_ticket=True)
            return self._pushed(w, ref, push, report, after, due=True, owner=True)
        except TrackerFailure as failure:
            assignee_only = bool(failure.fields) and set(failure.fields) <= {"assignee", "assignees"} and not failure.ambiguous
            if assignee_only:
                self._fail(report, w, f"{ref} was not reassigned to {push.owner} ({push.assignee}): {failure.reply or failure}")
            else:
                self._fail(report, w, f"the reviewed change ({push.described()}) was not pushed to {ref}: {failure}")
            if not (assignee_only and push.write_due):
                return remote, False, False
        try:
            after = self._guard(dest, lambda: tracker.update(remote, push.update(assignee=False)), one_ticket=True)
        except TrackerFailure as failure:
            self._fail(report, w, f"the due date {push.due} was not pushed to {ref} either: {failure}")
            return remote, False, False
        return self._pushed(w, ref, push, report, after, due=True, owner=False)

    def _pushed(self, w: Work, ref: str, push: Push, report: DestinationReport, after: RemoteTicket, *, due: bool, owner: bool) -> tuple[RemoteTicket, bool, bool]:
        report.updated += 1
        done = replace(push, write_assignee=push.write_assignee and owner)
        self.summary.pushed.append(f"{w.where} ({ref}): {done.described()}")
        self.progress.line(f"updated {ref} from {w.where}: {done.described()}")
        return after, due, owner

    def _finish_state(self, works: Sequence[Work]) -> None:
        if self.only == "create":
            self.new_state = dict(self.old_state)  # statuses were not read: the entries stay as they were
        if not self.restricted:
            # A run over PATH arguments keeps the entries and pending creates of every other
            # postmortem as they are; a whole run drops those of items no longer there.
            postmortems = self.repo.postmortems
            read_ids = {pm.id for pm in postmortems}
            skipped = read_ids - {pm.id for pm in self.repo.valid_postmortems()}
            unread = bool(unread_paths(postmortems, self.repo.errors))
            if self.only != "create":
                self.new_state = kept_entries(
                    self.new_state,
                    live={w.key for w in works if w.ticket} | self.linked_now | self.refused,
                    refs=self.refs,
                    read_ids=read_ids,
                    skipped_ids=skipped,
                    anything_unread=unread,
                )
            # A pending create of an item no longer mirrored (removed, unpublished) is forgotten,
            # as its state entry would be; those of postmortems not read now are kept.
            keys = {w.key for w in works}
            self.pending = {k: p for k, p in self.pending.items() if k in keys or _pm(k) in skipped or (unread and _pm(k) not in read_ids)}
        self.summary.state_entries = len(self.new_state)
        items_text = render_items(self.new_state)
        final = render_state(self.new_state, self.pending, items_text=items_text)
        if self.dry_run:
            self.summary.state_written = None
            shown = self.shown(str(self.state_path))
            if not self.state_existed and not self.new_state and not self.pending:
                line = f"would write no state file yet ({shown}): nothing is linked"
            else:
                line = f"would {'update' if final != self._initial_text else 'leave unchanged'} the state file {shown}"
            if any(r.would_create or r.would_link for r in self.summary.destinations.values()):
                line += "; the tickets it would create or link are added to it by the run itself"
            self.progress.line(line)
            return
        if not self.new_state and not self.pending and not self.state_existed:
            self.summary.state_written = False  # nothing linked yet: no empty file to commit
            self.state_path.unlink(missing_ok=True)  # a pending create's record, now settled
            return
        if not self._write(self.new_state, items_text):
            return
        # Against the file as the run found it: the records of creates may have rewritten it meanwhile.
        self.summary.state_written = final != self._initial_text


def _holding(decision: Decision) -> Decision:
    """`decision` without closing anything (a Relink is held by the caller)."""
    if isinstance(decision, Keep):
        return Keep(decision.ref)
    if isinstance(decision, Link):
        return Link(decision.ticket)
    return decision


def _claimed(entry: TicketState) -> set[str]:
    """The refs (folded) a state entry gives its item: the ticket as its file wrote it, and as
    its URL names it, for a short `#12` to match the look-up's `acme/web#12`."""
    refs = {fold(entry.ticket)}
    from_url = ticket_reference(entry.url) if entry.url else None
    if from_url is not None and from_url != entry.url.strip():
        refs.add(fold(from_url))
    return refs


def _pm(key: str) -> str:
    return key.split("/", 1)[0]


class _DestinationDown(TrackerError):
    """The destination refuses us (see `core.sync.refusal`): every further request would
    fail the same way, so the run sends it nothing more (the others go on)."""
