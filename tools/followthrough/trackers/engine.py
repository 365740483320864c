"""One sync run, the shell around `core.sync`: plan, then per destination create, link and
pull through the tracker clients, write each `ticket:` back and the state file at the end.

Per destination, in order: connect (one read); look the markers of unlinked items up
(Jira: label searches, 100 a request; GitHub: the issue listing); link what exists,
create the rest, writing each `ticket:` into its file at once; read the status of every
linked ticket in batches; map it into the state file and report drift. A failure stays
with its item or destination; the run goes on and the summary says what failed.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, ContextManager, Mapping, Protocol, Sequence

from followthrough.core.errors import TrackerError
from followthrough.core.model import Postmortem, TicketState
from followthrough.core.sync.config import Destination, Trackers
from followthrough.core.sync.description import new_ticket
from followthrough.core.sync.plan import LinkExisting, MarkerTaken, Plan, Work, credentials_refused, link_or_create, plan as plan_sync, unread_paths
from followthrough.core.sync.reconcile import drift, kept_entries, state_entry
from followthrough.core.sync.tickets import NewTicket, RemoteTicket, Tracker, TrackerFailure
from followthrough.files.repo import Repo
from followthrough.files.state import render_state, write_state
from followthrough.files.writeback import WritebackError, write_ticket
from followthrough.trackers.counting import RequestCounter
from followthrough.trackers.github_tracker import GitHubTracker
from followthrough.trackers.jira_tracker import JiraTracker
from followthrough.trackers.retry import SYSTEM_CLOCK, Clock, RetryPolicy

ONLY = ("create", "pull")


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
    pulled: int = 0
    changed: int = 0
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
    state_written: bool | None = None  # None: not touched this run
    state_entries: int = 0
    waits: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


TrackerFactory = Callable[[Destination, Trackers, RetryPolicy, RequestCounter], Tracker]


def make_tracker(dest: Destination, trackers: Trackers, policy: RetryPolicy, counter: RequestCounter) -> Tracker:
    token = trackers.token(dest.name)
    if dest.is_jira:
        return JiraTracker(dest, token, policy, counter, trackers.timeout)
    return GitHubTracker(dest, token, policy, counter, trackers.timeout, trackers.label)


class SyncEngine:
    def __init__(
        self,
        repo: Repo,
        states: Mapping[str, TicketState],
        trackers: Trackers,
        progress: Progress,
        *,
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
        self.new_state: dict[str, TicketState] = {}
        self.linked_now: set[str] = set()  # items given a ticket by this run
        self.refs: dict[str, str | None] = {}  # item key -> the ticket it names now (None: unreadable)

    # -- planning --------------------------------------------------------------------------
    def plan(self) -> Plan:
        plan = plan_sync(self.repo.postmortems, self.repo.errors, self.repo.config.settings.mirror_statuses, self.trackers, self.repo.directory, self.shown)
        self.summary.failures.extend(plan.failures)
        self.summary.skipped.extend(plan.skipped)
        self.summary.notes.extend(plan.notes)
        return plan

    # -- running ---------------------------------------------------------------------------
    def run(self) -> Summary:
        plan = self.plan()
        works = plan.works
        self.new_state = dict(self.old_state)
        by_destination, lost = plan.by_destination()
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
        if self.only != "create":
            self._finish_state(works)
        return self.summary

    def _fail(self, report: DestinationReport | None, w: Work, message: str) -> None:
        if report is not None:
            report.failed += 1
        self.summary.failures.append(f"{w.where}: {message}")

    def _run_destination(self, dest: Destination, works: list[Work], report: DestinationReport) -> None:
        try:
            self._sync_destination(dest, works, report)
        except Exception as exc:  # noqa: BLE001 - a reply neither client expected (an HTML page, a proxy)
            # One destination answering nonsense must not stop the others or lose the state file.
            report.failed += 1
            self.summary.failures.append(f"{dest.name}: unexpected reply from {dest.where} ({type(exc).__name__}: {exc}); is the URL the API's?")

    def _sync_destination(self, dest: Destination, works: list[Work], report: DestinationReport) -> None:
        tracker = self.factory(dest, self.trackers, self.policy, self.counter)
        try:
            tracker.connect()
        except TrackerFailure as failure:
            report.failed += len(works)
            self.summary.failures.append(f"{dest.name}: {failure} ({len(works)} item(s) not synced)")
            return
        linked: list[tuple[Work, str]] = []
        for w in works:
            if w.ticket:
                ref = tracker.normalize_ref(w.ticket)
                self.refs[w.key] = ref
                if ref is None:
                    self._fail(report, w, f"ticket: {w.ticket!r} is not a ticket of {dest.where}")
                else:
                    linked.append((w, ref))
        try:
            if self.only != "pull":
                linked.extend(self._create_phase(tracker, dest, [w for w in works if not w.ticket], report))
            if self.only != "create":
                self._pull_phase(tracker, dest, linked, report)
        except _DestinationDown as down:
            report.failed += 1
            self.summary.failures.append(f"{dest.name}: {down} (stopped working on this destination)")

    # -- create and link -------------------------------------------------------------------
    def _create_phase(self, tracker: Tracker, dest: Destination, works: list[Work], report: DestinationReport) -> list[tuple[Work, str]]:
        if not works:
            return []
        try:
            existing = tracker.find_markers([w.marker for w in works])
        except TrackerFailure as failure:
            _stop_if_refused(failure)
            for w in works:
                self._fail(report, w, f"markers could not be looked up, so nothing was created: {failure}")
            return []
        linked: list[tuple[Work, str]] = []
        with self.progress.task(f"{dest.name}: create", len(works)) as step:
            for w in works:
                decision = link_or_create(existing.get(w.marker), self.old_state.get(w.key))
                if isinstance(decision, MarkerTaken):
                    self._fail(report, w, decision.message)
                    step()
                    continue
                if isinstance(decision, LinkExisting):
                    if self.dry_run:
                        report.would_link += 1
                        self.progress.line(f"would link {w.where} -> {decision.ref} (found by its marker)")
                    elif self._write_back(w, decision.ref, report, "linked"):
                        report.linked += 1
                        linked.append((w, decision.ref))
                    step()
                    continue
                ticket, notes = new_ticket(
                    w.pm, w.item, dest, self.trackers, self.repo.directory, site_url=self.repo.config.site_url, docs_path=self._docs_path(w.pm), use_directory_urls=self.repo.config.use_directory_urls
                )
                self.summary.notes.extend(f"{w.where}: {n}" for n in notes)
                if self.dry_run:
                    report.would_create += 1
                    self.progress.line(f"would create {w.where} -> {dest.where}: {w.item.title}")
                    step()
                    continue
                try:
                    remote, recovered = self._create(tracker, ticket)
                except TrackerFailure as failure:
                    _stop_if_refused(failure)
                    self._fail(report, w, f"not created: {failure}")
                    step()
                    continue
                verb = "linked" if recovered else "created"
                if self._write_back(w, remote.ref, report, verb):
                    if recovered:
                        report.linked += 1
                    else:
                        report.created += 1
                    linked.append((w, remote.ref))
                step()
        return linked

    def _create(self, tracker: Tracker, ticket: NewTicket) -> tuple[RemoteTicket, bool]:
        """Create once; after any failure that may be retried, look the marker up before trying again."""
        return self.policy.create(lambda: tracker.create(ticket), lambda: tracker.find_recent_markers([ticket.marker]).get(ticket.marker))

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
    def _pull_phase(self, tracker: Tracker, dest: Destination, linked: list[tuple[Work, str]], report: DestinationReport) -> None:
        if not linked:
            return
        with self.progress.task(f"{dest.name}: pull", 1) as step:
            try:
                result = tracker.fetch([ref for _, ref in linked])
            except TrackerFailure as failure:
                _stop_if_refused(failure)
                for w, _ in linked:
                    self._fail(report, w, f"status not read (the state file keeps what it had): {failure}")
                return
            step()
        missing = set(result.missing)
        for w, ref in linked:
            remote = result.found.get(ref)
            if remote is None:
                why = "does not exist (deleted, moved, or not visible to this token)" if ref in missing else "was not returned"
                self._fail(report, w, f"{ref} {why} in {dest.where}; fix or remove `ticket:`")
                continue
            report.pulled += 1
            if self._record(w, remote, dest):
                report.changed += 1
            self._check_drift(w, remote, dest)

    def _record(self, w: Work, remote: RemoteTicket, dest: Destination) -> bool:
        old = self.old_state.get(w.key)
        entry = state_entry(old, w.ticket or remote.ref, remote, self.repo.directory, dest, self.today)
        self.new_state[w.key] = entry
        return old != entry

    def _check_drift(self, w: Work, remote: RemoteTicket, dest: Destination) -> None:
        self.summary.drift.extend(drift(w.item, w.shown, remote, self.repo.directory, dest))

    def _finish_state(self, works: Sequence[Work]) -> None:
        if not self.restricted:
            # A run over PATH arguments keeps the entries of every other postmortem as they are.
            postmortems = self.repo.postmortems
            skipped = {pm.id for pm in postmortems} - {pm.id for pm in self.repo.valid_postmortems()}
            self.new_state = kept_entries(
                self.new_state,
                live={w.key for w in works if w.ticket} | self.linked_now,
                refs=self.refs,
                read_ids={pm.id for pm in postmortems},
                skipped_ids=skipped,
                anything_unread=bool(unread_paths(postmortems, self.repo.errors)),
            )
        self.summary.state_entries = len(self.new_state)
        if self.dry_run:
            changed = _render_differs(self.old_state, self.new_state)
            self.summary.state_written = None
            self.progress.line(f"would {'update' if changed else 'leave unchanged'} the state file {self.shown(str(self.state_path))}")
            return
        if not self.new_state and not self.state_path.exists():
            self.summary.state_written = False  # nothing linked yet: no empty file to commit
            return
        self.summary.state_written = write_state(self.state_path, self.new_state, root=self.repo.config.root)


class _DestinationDown(TrackerError):
    """The tracker refused our credentials: every further request would fail the same way,
    so the run stops working on this destination (the others go on)."""


def _stop_if_refused(failure: TrackerFailure) -> None:
    if credentials_refused(failure.status):
        raise _DestinationDown(str(failure))


def _render_differs(old: Mapping[str, TicketState], new: Mapping[str, TicketState]) -> bool:
    return render_state(old) != render_state(new)
