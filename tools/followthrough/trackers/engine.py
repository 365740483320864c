"""One sync run: plan the work per destination, then create, link and pull, then write state.

Per destination, in order: connect (one read); look the markers of unlinked items up
(Jira: label searches, 100 a request; GitHub: the issue listing); link what exists,
create the rest, writing each `ticket:` into its file at once; read the status of every
linked ticket in batches; map it into the state file and report drift. A failure stays
with its item or destination; the run goes on and the summary says what failed.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Mapping, Sequence

from followthrough.core.model import ActionItem, Directory, Postmortem
from followthrough.files.repo import Repo
from followthrough.core.model import TicketState, state_key
from followthrough.files.state import load_state, render_state, write_state
from followthrough.core.sync.config import Destination, Trackers
from followthrough.core.sync.counting import RequestCounter
from followthrough.core.sync.description import new_ticket
from followthrough.trackers.github_tracker import GitHubTracker
from followthrough.trackers.jira_tracker import JiraTracker
from followthrough.core.sync.markers import marker_for
from followthrough.cli.progress import Progress
from followthrough.trackers.retry import RetryPolicy
from followthrough.core.sync.routing import route_linked, route_new
from followthrough.core.ticket_refs import ticket_reference
from followthrough.core.sync.tickets import NewTicket, RemoteTicket, Tracker, TrackerFailure
from followthrough.files.writeback import WritebackError, write_ticket

ONLY = ("create", "pull")


@dataclass
class Work:
    """One action item and what sync is to do with it."""

    pm: Postmortem
    item: ActionItem
    file: Path
    shown: str  # the file as messages show it
    destination: str | None
    route_problem: str | None
    ticket: str | None  # as written in the file

    @property
    def key(self) -> str:
        return state_key(self.pm.id, self.item.id)

    @property
    def marker(self) -> str:
        return marker_for(self.pm.id, self.item.id)

    @property
    def where(self) -> str:
        return f"{self.shown}:{self.item.line}: {self.item.id}"


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
        trackers: Trackers,
        progress: Progress,
        *,
        only: str | None = None,
        dry_run: bool = False,
        today: date,
        shown: Callable[[str], str] = str,
        restricted: bool = False,
        factory: TrackerFactory = make_tracker,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        assert only in (None, *ONLY)
        self.repo = repo
        self.trackers = trackers
        self.progress = progress
        self.only = only
        self.dry_run = dry_run
        self.today = today
        self.shown = shown
        self.restricted = restricted  # PATH arguments: state entries of other postmortems are kept
        self.factory = factory
        self.policy = RetryPolicy(trackers.retries, trackers.backoff, trackers.max_wait, sleep)
        self.counter = RequestCounter()
        self.summary = Summary()
        settings = repo.config.settings
        self.state_path = repo.config.root / settings.state_file
        self.old_state: dict[str, TicketState] = {}
        self.new_state: dict[str, TicketState] = {}
        self.linked_now: set[str] = set()  # items given a ticket by this run
        self.refs: dict[str, str | None] = {}  # item key -> the ticket it names now (None: unreadable)

    # -- planning --------------------------------------------------------------------------
    def plan(self) -> list[Work]:
        settings = self.repo.config.settings
        directory = self.repo.directory
        valid = self.repo.valid_postmortems()
        valid_paths = {pm.path for pm in valid}
        bad = Counter(f.path for f in self.repo.errors)
        for pm in self.repo.postmortems:
            if pm.path in valid_paths:
                continue
            # An empty status means the front-matter could not be read: it may well be published.
            matters = not pm.status or pm.status in settings.mirror_statuses or any(i.ticket for i in pm.action_items)
            message = f"{self.shown(pm.path)}: skipped: {bad[pm.path]} lint error(s); run `followthrough lint {self.shown(pm.path)}`"
            (self.summary.failures if matters else self.summary.skipped).append(message)
        for path, code in sorted({(f.path, f.code) for f in self.repo.errors if f.path in self._unread()}):
            self.summary.failures.append(f"{self.shown(path)}: skipped: not read ({code}); run `followthrough lint`")
        works = []
        for pm in valid:
            mirror = pm.status in settings.mirror_statuses
            for item in pm.action_items:
                if not item.ticket and not mirror:
                    continue
                ticket = ticket_reference(item.ticket) if item.ticket else None
                if item.ticket and ticket is None:
                    # A URL of a tracker sync does not talk to (Linear, ...): its status stays as written.
                    self.summary.notes.append(f"{self.shown(pm.path)}:{item.line_of('ticket')}: {item.id}: {item.ticket} is not in Jira or GitHub; not synced")
                    continue
                if ticket:
                    route = route_linked(ticket, pm, item, self.trackers, directory)
                else:
                    route = route_new(pm, item, self.trackers, directory)
                works.append(
                    Work(
                        pm=pm,
                        item=item,
                        file=self.repo.file_of(pm),
                        shown=self.shown(pm.path),
                        destination=route.destination,
                        route_problem=None if route.destination else route.reason,
                        ticket=ticket,
                    )
                )
        return works

    def _unread(self) -> set[str]:
        """Files with errors that gave no postmortem at all: refused or unreadable."""
        return {f.path for f in self.repo.errors} - {pm.path for pm in self.repo.postmortems}

    # -- running ---------------------------------------------------------------------------
    def run(self) -> Summary:
        works = self.plan()
        self.old_state = load_state(self.repo.config.root, self.repo.config.settings)
        self.new_state = dict(self.old_state)
        by_destination: dict[str, list[Work]] = {}
        for w in works:
            if w.destination is None:
                self._fail(None, w, w.route_problem or "no destination")
                continue
            by_destination.setdefault(w.destination, []).append(w)
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
                found = existing.get(w.marker)
                before = self.old_state.get(w.key)
                if found is not None and before is not None and before.ticket == found.ref:
                    # Not a crash before write-back (that leaves no state): the item had this
                    # ticket and lost it, or another item took its place (ids by position).
                    self._fail(report, w, f"its marker belongs to {found.ref}, linked to this item before and since removed from the file; "
                               f"write `ticket: {found.ref}` back, or give a new item its own `id`")
                    step()
                    continue
                if found is not None:
                    if self.dry_run:
                        report.would_link += 1
                        self.progress.line(f"would link {w.where} -> {found.ref} (found by its marker)")
                    elif self._write_back(w, found.ref, report, "linked"):
                        report.linked += 1
                        linked.append((w, found.ref))
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
        attempt = 0
        while True:
            try:
                return tracker.create(ticket), False
            except TrackerFailure as failure:
                if not (failure.retry or failure.ambiguous):
                    raise
                pause = self.policy.delay(failure, attempt)
                if pause:
                    self.policy.wait(pause)
                found = tracker.find_recent_markers([ticket.marker]).get(ticket.marker)
                if found is not None:
                    return found, True
                if pause is None:
                    if attempt == 0:
                        raise
                    raise TrackerFailure(f"{failure} (after {attempt + 1} attempts)", status=failure.status) from None
                attempt += 1

    def _write_back(self, w: Work, ref: str, report: DestinationReport, verb: str) -> bool:
        try:
            write_ticket(w.file, w.item.index, ref, expected_title=w.item.title, root=self.repo.config.root)
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
        entry = TicketState(
            ticket=w.ticket or remote.ref,
            url=remote.url,
            status=remote.status,
            tracker_status=remote.tracker_status,
            done_on=remote.done_on,
            assignee=_handle_of(self.repo.directory, remote.assignee, dest),
            due=remote.due,
            checked=None,
        )
        unchanged_status = old is not None and (old.status, old.tracker_status) == (entry.status, entry.tracker_status)
        checked = old.checked if unchanged_status and old is not None and old.checked else self.today
        entry = replace(entry, checked=checked)
        self.new_state[w.key] = entry
        return old != entry

    def _check_drift(self, w: Work, remote: RemoteTicket, dest: Destination) -> None:
        item = w.item
        ref = remote.ref
        if item.due and remote.due != item.due:
            theirs = remote.due.isoformat() if remote.due else "no due date"
            self.summary.drift.append(f"{w.shown}:{item.line_of('due')}: {item.id} ({ref}): due {item.due.isoformat()} in the postmortem, {theirs} in {dest.name}")
        person = self.repo.directory.people.get(item.owner)
        expected = (person.jira if dest.is_jira else person.github) if person else None
        if expected and remote.assignee != expected:
            theirs = _handle_of(self.repo.directory, remote.assignee, dest) if remote.assignee else "nobody"
            self.summary.drift.append(f"{w.shown}:{item.line_of('owner')}: {item.id} ({ref}): owner {item.owner} in the postmortem, assigned to {theirs} in {dest.name}")

    def _finish_state(self, works: Sequence[Work]) -> None:
        if not self.restricted:
            # Forget entries whose item no longer exists or lost its ticket; keep those of
            # postmortems skipped for lint errors (their items could not be read).
            live = {w.key for w in works if w.ticket} | self.linked_now
            # An entry for a ticket the item no longer names (edited by hand, say) is stale.
            self.new_state = {k: v for k, v in self.new_state.items() if self.refs.get(k, v.ticket) == v.ticket}
            skipped = {pm.id for pm in self.repo.postmortems} - {pm.id for pm in self.repo.valid_postmortems()}
            # A file that was not read at all (a link, too large) may be any postmortem: keep
            # every entry no postmortem read now accounts for.
            known = set() if not self._unread() else {pm.id for pm in self.repo.postmortems}
            self.new_state = {
                k: v for k, v in self.new_state.items() if k in live or k.split("/", 1)[0] in skipped or (known and k.split("/", 1)[0] not in known)
            }
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


class _DestinationDown(Exception):
    pass


def _stop_if_refused(failure: TrackerFailure) -> None:
    """Credentials refused: every further request would fail the same way."""
    if failure.status in (401,):
        raise _DestinationDown(str(failure))


def _handle_of(directory: Directory, tracker_id: str | None, dest: Destination) -> str | None:
    if tracker_id is None:
        return None
    for handle, person in directory.people.items():
        if (person.jira if dest.is_jira else person.github) == tracker_id:
            return handle
    return tracker_id


def _render_differs(old: Mapping[str, TicketState], new: Mapping[str, TicketState]) -> bool:
    return render_state(old) != render_state(new)
