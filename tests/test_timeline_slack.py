"""`followthrough timeline slack` and `new --from-slack` end to end: a hand-written workspace
export (a non-UTC workspace, several days, a thread, a hand-off, an edit, bots, joins, a
mention, a link, midnight UTC inside one local day), its zip, the Web API through a loopback
fake Slack, and the evidence page in a real site build."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from followthrough.cli.main import main
from followthrough.core.errors import TrackerError
from followthrough.trackers.retry import Clock
from followthrough.trackers.slack_history import HistoryTarget, read_channel
from followthrough.core.sync.config import Secret

from .conftest import DATA, assert_no_traceback, run_cli
from .fakes.slack_server import BOT_TOKEN, FakeSlack
from .site_builds import build_site

SLACK = DATA / "slack"
EXPORT = SLACK / "export"
CHANNEL = "inc-2026-05-20-checkout-outage"

# Written down by hand from the export: the Scribe's (sam.scribe) messages, and those marked
# :memo: or starting "TL:", in UTC (the workspace is on US Pacific time, so 00:05 UTC on the 21st
# is in the day file of the 20th), names from people.yml, never an id or an e-mail.
EXPECTED = [
    "| Time (UTC) | Event |",
    "| --- | --- |",
    "| 2026-05-20 23:12 | Ana Commander: I am declaring an incident: checkout returns 500s. I'm IC |",
    "| 23:14 | T+0: Incident declared. Checkout error rate **38%** since 23:05 per [the checkout dashboard](https://grafana.example.com/d/checkout?from=now-1h&to=now) |",
    "| 23:18 | Max Expert: deploy 2026.05.20-3 went out at 23:02, *rolling back* |",
    "| 23:25 | Rollback started by Max Expert: `kubectl rollout undo deploy/checkout` |",
    "| 23:31 | Max Expert: rollback done, error rate dropping |",
    "| 23:40 | Gus Guest: &lt;img src=x onerror=alert(1)&gt; &amp; ask in #support or here |",
    "| 23:52 | Error rate under 1%, ~was 38%~ |",
    "| 2026-05-21 00:05 | 14:00 customer e-mails queued; status page updated by Cora Comms |",
    "| 00:20 | Dev Deputy: Taking over: I am now IC, Ana Commander is off to sleep |",
    "| 00:45 | # Monitoring / - watching for 30 min / 1. then close \\| or reopen |",
    "| 16:00 | Incident resolved; @here postmortem owner Ana Commander |",
]


def repo(root: Path, *, theme: bool = False) -> Path:
    docs = root / "postmortems"
    docs.mkdir(parents=True)
    site = "theme:\n  name: material\n  font: false\nexclude_docs: |\n  people.yml\n" if theme else ""
    (root / "mkdocs.yml").write_text(f"site_name: T\nsite_url: https://example.test/\ndocs_dir: postmortems\n{site}plugins:\n  - followthrough\n")
    shutil.copy(SLACK / "people.yml", docs / "people.yml")
    return root


def cli(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def zipped(tmp_path: Path) -> Path:
    target = tmp_path / "export.zip"
    with zipfile.ZipFile(target, "w") as z:
        for f in sorted(EXPORT.rglob("*.json")):
            z.write(f, f.relative_to(EXPORT).as_posix())
    return target


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return repo(tmp_path / "repo")


def test_the_scribes_record_from_an_export_folder_and_its_zip(root, tmp_path, monkeypatch):
    for source in (EXPORT, zipped(tmp_path)):
        code, out, err = cli(root, "timeline", "slack", str(source), "--channel", CHANNEL, "--scribe", "sam.scribe", monkeypatch=monkeypatch)
        assert (code, err) == (0, "")
        assert out.splitlines() == EXPECTED
    assert "@" not in "".join(EXPECTED).replace("@here", "")  # no e-mail, and no member id:
    assert "U0" not in "".join(EXPECTED)


def test_all_takes_every_persons_message_and_never_a_bots(root, monkeypatch):
    code, out, _ = cli(root, "timeline", "slack", str(EXPORT), "--channel", CHANNEL, "--all", monkeypatch=monkeypatch)
    assert code == 0
    assert "Max Expert: looking at the logs" in out and "Gus Guest: thanks all" in out
    assert "PagerDuty" not in out and "joined" not in out and "left the channel" not in out


def test_since_and_until_window_the_record(root, monkeypatch):
    code, out, _ = cli(root, "timeline", "slack", str(EXPORT), "--channel", CHANNEL, "--scribe", "sam.scribe", "--since", "2026-05-21T00:00Z", "--until", "2026-05-21T01:00Z", monkeypatch=monkeypatch)
    assert code == 0
    assert out.splitlines()[2:] == [
        "| 2026-05-21 00:05 | 14:00 customer e-mails queued; status page updated by Cora Comms |",
        "| 00:20 | Dev Deputy: Taking over: I am now IC, Ana Commander is off to sleep |",
        "| 00:45 | # Monitoring / - watching for 30 min / 1. then close \\| or reopen |",
    ]


def _postmortem(root: Path, timeline: str) -> Path:
    from .conftest import BASE

    head, rest = BASE.split("## Timeline", 1)
    text = f"{head}## Timeline\n\n{timeline}{rest[rest.index(chr(10) + '## '):]}".replace("  scribe: dev.deputy", "  scribe: sam.scribe")
    target = root / "postmortems" / "2026" / "2026-05-20-checkout-outage.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def _lint(root: Path, monkeypatch) -> tuple[int, str]:
    code, out, err = cli(root, "lint", monkeypatch=monkeypatch)
    return code, out + err


def test_into_writes_the_section_keeps_prose_and_passes_lint(root, monkeypatch):
    target = _postmortem(root, "All times UTC. The bridge was not recorded.\n\n")
    before_code, before = _lint(root, monkeypatch)
    code, out, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), monkeypatch=monkeypatch)
    assert code == 0, err
    assert "12 timeline entries from #inc-2026-05-20-checkout-outage" not in out  # the count is the rows'
    assert "11 timeline entries from #inc-2026-05-20-checkout-outage" in out
    section = target.read_text().split("## Timeline\n", 1)[1].split("\n## ", 1)[0]
    assert section == "\nAll times UTC. The bridge was not recorded.\n\n" + "\n".join(EXPECTED) + "\n"
    after_code, after = _lint(root, monkeypatch)
    assert "FT502" not in after and "Timeline" not in after
    assert (after_code, after) == (before_code, before)  # nothing new: the rows read back in order

    code, out, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), monkeypatch=monkeypatch)
    assert code == 2 and "already has 11 entries" in err and "--replace" in err
    code, out, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), "--replace", "--since", "2026-05-21", monkeypatch=monkeypatch)
    assert code == 0 and "replacing 11" in out
    assert "| 2026-05-21 00:05 |" in target.read_text() and "23:12" not in target.read_text()


def test_into_with_evidence_links_the_record_once(root, monkeypatch):
    target = _postmortem(root, "")
    for extra in ([], ["--replace"]):
        code, out, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), "--evidence", *extra, monkeypatch=monkeypatch)
        assert code == 0, err
    assert out.splitlines()[-1].endswith("2026-05-20-checkout-outage.slack.md: the channel's complete record")
    assert target.read_text().count("(2026-05-20-checkout-outage.slack.md)") == 1
    record = target.with_name("2026-05-20-checkout-outage.slack.md").read_text()
    assert record.count("\n- **") == 19  # every message of the channel, bots and joins included
    assert _lint(root, monkeypatch)[0] == 0


def test_nothing_selected_writes_nothing_and_says_why(root, monkeypatch):
    target = _postmortem(root, "")
    before = target.read_text()
    code, _, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), "--scribe", "nia.sme", "--reaction", "fire", "--prefix", "NOTE:", monkeypatch=monkeypatch)
    assert code == 2 and "nia.sme has no slack: member id" in err
    code, _, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), "--scribe", "cora.comms", "--reaction", "fire", "--prefix", "NOTE:", monkeypatch=monkeypatch)
    assert code == 2 and "is the Scribe's, marked :fire: or starts with 'NOTE:'; nothing written" in err
    assert target.read_text() == before


def test_into_reads_the_scribe_from_the_postmortems_roles(root, monkeypatch):
    target = _postmortem(root, "")
    text = target.read_text()
    assert "scribe: sam.scribe" in text  # the base postmortem's Scribe has the member id U01SAM
    code, _, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), monkeypatch=monkeypatch)
    assert code == 0, err
    assert "| 23:14 | T+0: Incident declared." in target.read_text()  # the Scribe's own words, no name


def test_new_from_slack_leaves_only_what_a_person_decides(root, monkeypatch):
    code, out, err = cli(root, "new", "--from-slack", str(EXPORT), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 0, err
    assert out.strip() == "postmortems/2026/2026-05-20-checkout-outage.md"
    assert "handed off in the channel (ana.ic -> dev.deputy)" in err
    text = (root / out.strip()).read_text()
    assert 'title: "Checkout outage"' in text and 'started: "2026-05-20T23:12:00Z"' in text
    assert 'commander: "ana.ic"' in text and 'scribe: "sam.scribe"' in text
    assert "\n".join(EXPECTED) in text
    code, findings = _lint(root, monkeypatch)
    codes = {line.split(": ")[1].split()[0] for line in findings.splitlines() if line.startswith("postmortems/")}
    assert code == 1 and codes == {"FT505"}
    fields = sorted(line.split(" FT505 ")[1].split(":")[0] for line in findings.splitlines() if " FT505 " in line)
    assert fields == sorted(["severity", "services[0]", "detected", "mitigated", "resolved", "roles.sme[0]", "action_items[0].title", "action_items[0].owner", "action_items[0].due"])


def test_new_from_slack_leaves_a_contested_role_to_a_person(root, tmp_path, monkeypatch):
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    day = export / CHANNEL / "2026-05-20.json"
    messages = json.loads(day.read_text())
    messages.append({"type": "message", "ts": "1779319000.000900", "user": "U01MAX", "text": "I'm IC"})
    day.write_text(json.dumps(messages))
    code, out, err = cli(root, "new", "--from-slack", str(export), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 0
    assert "roles.commander: claimed by ana.ic, max.sme without a hand-off; left for you to decide" in err
    assert "commander: \"TODO" in (root / out.strip()).read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--channel", "inc-2026-05-20-nope"], "no channel 'inc-2026-05-20-nope' in this export; did you mean 'inc-2026-05-20-checkout-outage'?"),
        (["--channel", "../../etc"], "not a Slack channel name"),
        (["--channel", CHANNEL, "--scribe", "nia.sme"], "nia.sme has no slack: member id"),
        (["--channel", CHANNEL, "--scribe", "nobody"], "'nobody' is not in the people directory"),
        (["--channel", CHANNEL, "--since", "last tuesday"], "--since 'last tuesday': expected YYYY-MM-DD"),
        (["--channel", CHANNEL, "--evidence"], "--evidence: the record is kept beside a postmortem"),
        (["--channel", CHANNEL, "--since", "2026-05-21T10:00", "--until", "2026-05-20"], "--since 2026-05-21T10:00 is after --until 2026-05-20"),
    ],
)
def test_bad_input_is_named_and_exits_2(root, monkeypatch, args, message):
    code, out, err = cli(root, "timeline", "slack", str(EXPORT), *args, monkeypatch=monkeypatch)
    assert code == 2 and message in err and "Traceback" not in err


def test_new_takes_the_channel_options_only_from_slack(root, monkeypatch):
    code, _, err = cli(root, "new", "checkout outage", "--evidence", monkeypatch=monkeypatch)
    assert code == 2 and "--evidence: only with --from-slack SOURCE" in err
    code, _, err = cli(root, "new", "--from-slack", str(EXPORT), "--channel", "checkout", monkeypatch=monkeypatch)
    assert code == 2 and "inc-YYYY-MM-DD-short-description" in err


def test_a_broken_message_names_its_file_and_place(root, tmp_path, monkeypatch):
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    (export / CHANNEL / "2026-05-21.json").write_text('[{"ts": "1779379200.000016", "user": "U01SAM", "text": 7}]')
    code, _, err = cli(root, "timeline", "slack", str(export), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 2 and f"{export}/{CHANNEL}/2026-05-21.json: message 1: text is int, expected text" in err
    (export / CHANNEL / "2026-05-21.json").write_text("[{")
    code, _, err = cli(root, "timeline", "slack", str(export), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 2 and "2026-05-21.json: not JSON" in err


def test_a_message_past_the_calendar_is_named(root, tmp_path, monkeypatch):
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    (export / CHANNEL / "2026-05-21.json").write_text('[{"ts": "999999999999.000100", "user": "U01SAM", "text": "x"}]')
    code, _, err = cli(root, "timeline", "slack", str(export), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 2 and f"{CHANNEL}/2026-05-21.json: message 1: ts '999999999999.000100' is not a Slack timestamp" in err


def test_a_link_in_an_unpacked_export_is_never_followed(root, tmp_path, monkeypatch):
    secret = tmp_path / "elsewhere"
    secret.mkdir()
    (secret / "2026-05-20.json").write_text('[{"ts": "1779318000.000100", "user": "U01SAM", "text": "a file from outside the export"}]')
    linked_folder = tmp_path / "folder-linked"
    linked_folder.mkdir()
    for f in EXPORT.glob("*.json"):
        shutil.copy(f, linked_folder / f.name)
    (linked_folder / CHANNEL).symlink_to(secret)
    linked_day = tmp_path / "day-linked"
    shutil.copytree(EXPORT, linked_day)
    (linked_day / CHANNEL / "2026-05-25.json").symlink_to(secret / "2026-05-20.json")
    for export, link in ((linked_folder, linked_folder / CHANNEL), (linked_day, linked_day / CHANNEL / "2026-05-25.json")):
        code, out, err = cli(root, "timeline", "slack", str(export), "--channel", CHANNEL, "--all", monkeypatch=monkeypatch)
        assert code == 2 and f"{link}: a symbolic link (to {secret}" in err and "inside the export; refused" in err
        assert "outside the export" not in out + err


def test_a_429_storm_and_a_cursor_loop_end_with_a_message(slack: FakeSlack):
    _load_fake(slack)
    slack.rate_limit_reads("conversations.history", retry_after="3", times=100)
    clock = FakeClock()
    with pytest.raises(TrackerError, match=r"conversations\.history with 429 \(rate limited\), still after 4 retries"):
        read_channel(HistoryTarget(slack.api_url, Secret(BOT_TOKEN)), CHANNEL, clock=clock.clock)
    assert clock.waits == [3.0] * 4
    slack.clear_faults()
    slack.stuck_cursor = "dXNlcjo3"
    with pytest.raises(TrackerError, match="conversations.list gave the same next_cursor twice; stopped after 2 pages"):
        read_channel(HistoryTarget(slack.api_url, Secret(BOT_TOKEN)), CHANNEL, clock=FakeClock().clock)
    assert len(slack.cursors) < 10


def test_the_api_asks_for_each_thread_once(slack: FakeSlack):
    _load_fake(slack)
    slack.page_size = 200
    threads = [m for m in slack.history["C01INC"] if m.get("reply_count")]
    read_channel(HistoryTarget(slack.api_url, Secret(BOT_TOKEN)), CHANNEL, clock=FakeClock().clock)
    replies = [r for r in slack.records if r.route == "conversations_replies"]
    assert threads and len(replies) == len(threads)


def test_an_into_that_cannot_take_the_rows_is_left_as_it_was(root, monkeypatch):
    target = _postmortem(root, "")
    evidence = target.with_name(target.stem + ".slack.md")
    no_section = target.with_name("2026-05-20-no-timeline.md")
    no_section.write_text(target.read_text().replace("## Timeline", "## Chronology"))
    before = no_section.read_bytes()
    code, _, err = cli(root, "timeline", "slack", str(EXPORT), "--channel", CHANNEL, "--into", str(no_section), "--evidence", monkeypatch=monkeypatch)
    assert code == 2 and "no Timeline section" in err
    assert no_section.read_bytes() == before and not no_section.with_name("2026-05-20-no-timeline.slack.md").exists()
    # Read-only: the owner said so; a rename would replace it all the same.
    before = target.read_bytes()
    target.chmod(0o444)
    try:
        code, _, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), "--evidence", monkeypatch=monkeypatch)
    finally:
        target.chmod(0o644)
    assert code == 2 and f"{target}: read-only; nothing written" in err
    assert target.read_bytes() == before and not evidence.exists()
    code, out, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), "--evidence", monkeypatch=monkeypatch)
    assert code == 0, err
    code, _, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(evidence), monkeypatch=monkeypatch)
    assert code == 2 and "a postmortem's Slack record (*.slack.md), not a postmortem" in err


def test_into_a_crlf_file_keeps_its_line_ends_and_lints_clean(root, monkeypatch):
    target = _postmortem(root, "All times UTC.\n\n")
    target.write_bytes(target.read_bytes().replace(b"\n", b"\r\n"))
    before_code, before = _lint(root, monkeypatch)
    code, _, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), monkeypatch=monkeypatch)
    assert code == 0, err
    data = target.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") and "| 23:14 | T+0: Incident declared." in data.decode()
    code, after = _lint(root, monkeypatch)
    assert "FT502" not in after and after.count("FT") <= before.count("FT")


def test_an_evidence_file_named_to_lint_is_not_read_as_a_postmortem(root, monkeypatch):
    import re

    import yaml

    target = _postmortem(root, "")
    code, _, err = cli(root, "timeline", "slack", str(EXPORT), "--into", str(target), "--evidence", monkeypatch=monkeypatch)
    assert code == 0, err
    evidence = "postmortems/2026/2026-05-20-checkout-outage.slack.md"
    # As a pre-commit hook runs it, with every staged file named.
    code, out, err = cli(root, "lint", evidence, monkeypatch=monkeypatch)
    assert (code, out + err) == (0, "0 postmortem(s) checked: 0 error(s), 0 warning(s)\n")
    (hook,) = yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text())
    assert re.search(hook["files"], evidence) and re.search(hook["exclude"], evidence)
    assert not re.search(hook["exclude"], "postmortems/2026/2026-05-20-checkout-outage.md")


def test_an_untrusted_zip_is_refused(root, tmp_path, monkeypatch):
    outside = tmp_path / "outside.zip"
    with zipfile.ZipFile(outside, "w") as z:
        z.writestr("channels.json", "[]")
        z.writestr("../../evil.json", "[]")
    code, _, err = cli(root, "timeline", "slack", str(outside), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 2 and "a path outside it; refused" in err
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("channels.json", json.dumps([{"id": "C1", "name": CHANNEL}]))
        z.writestr(f"{CHANNEL}/2026-05-20.json", b"[" + b" " * (65 * 1024 * 1024) + b"]")
    code, _, err = cli(root, "timeline", "slack", str(big), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 2 and "more than 64 MB; refused" in err
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(damaged, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("channels.json", json.dumps([{"id": "C1", "name": CHANNEL}]))
        z.writestr(f"{CHANNEL}/2026-05-20.json", json.dumps([{"ts": "1.0", "text": "x" * 5000}]))
    data = bytearray(damaged.read_bytes())
    at = data.index(b"2026-05-20.json") + len("2026-05-20.json") + 10  # inside the member's compressed bytes
    data[at : at + 20] = b"\xff" * 20
    damaged.write_bytes(bytes(data))
    code, _, err = cli(root, "timeline", "slack", str(damaged), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 2 and "cannot be read from the zip" in err and "Traceback" not in err
    notzip = tmp_path / "notes.txt"
    notzip.write_text("hello")
    code, _, err = cli(root, "timeline", "slack", str(notzip), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 2 and "not a Slack export" in err


# ---------------------------------------------------------------- the Web API, through the loopback fake


class FakeClock:
    def __init__(self) -> None:
        self.time = 1000.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.time += seconds

    @property
    def clock(self) -> Clock:
        return Clock(now=lambda: self.time, sleep=self.sleep)


def _load_fake(fake: FakeSlack, *, member: bool = True, private: bool = False) -> None:
    """The export's channel as the API holds it."""
    fake.conversation_list = [{"id": f"C{i:04d}", "name": f"other-{i}"} for i in range(7)] + [
        {"id": "C01INC", "name": CHANNEL, "is_private": private},
        {"id": "C0SUPPORT", "name": "support"},
    ]
    fake.channels = {"C01INC": member}
    fake.history["C01INC"] = [m for f in sorted((EXPORT / CHANNEL).glob("*.json")) for m in json.loads(f.read_text())]
    fake.users = json.loads((EXPORT / "users.json").read_text())
    fake.page_size = 3  # every list takes several pages


def test_the_api_reads_every_page_waits_out_a_429_and_matches_the_export(slack: FakeSlack, root, monkeypatch):
    _load_fake(slack)
    slack.rate_limit_reads("conversations.history", retry_after="9")
    clock = FakeClock()
    got = read_channel(HistoryTarget(slack.api_url, Secret(BOT_TOKEN)), CHANNEL, clock=clock.clock)
    assert clock.waits == [9.0]
    history = [r for r in slack.records if r.route == "conversations_history"]
    assert len(history) >= 5 and len([c for c in slack.cursors if c]) >= 4  # paginated by cursor
    assert any(r.route == "conversations_replies" for r in slack.records)
    assert len(got.messages) == sum(len(json.loads(f.read_text())) for f in (EXPORT / CHANNEL).glob("*.json"))

    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", slack.api_url)
    code, out, err = cli(root, "timeline", "slack", "api:", "--channel", CHANNEL, "--scribe", "sam.scribe", monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    assert out.splitlines() == EXPECTED


def test_a_private_channel_the_bot_is_not_in_says_to_invite_it(slack: FakeSlack):
    _load_fake(slack, member=False, private=True)
    with pytest.raises(TrackerError, match=r"no channel #inc-2026-05-20-checkout-outage that the bot can see.*invite the bot"):
        read_channel(HistoryTarget(slack.api_url, Secret(BOT_TOKEN)), CHANNEL, clock=FakeClock().clock)
    _load_fake(slack, member=False)
    with pytest.raises(TrackerError, match=r"conversations\.history \(not_in_channel\): the bot is not a member of #inc-2026-05-20-checkout-outage; invite it"):
        read_channel(HistoryTarget(slack.api_url, Secret(BOT_TOKEN)), CHANNEL, clock=FakeClock().clock)
    _load_fake(slack)
    slack.missing_scopes = {"users:read"}
    with pytest.raises(TrackerError, match=r"missing_scope\): the token lacks the scope users:read"):
        read_channel(HistoryTarget(slack.api_url, Secret(BOT_TOKEN)), CHANNEL, clock=FakeClock().clock)


def test_the_api_command_never_shows_the_token(slack: FakeSlack, root):
    _load_fake(slack, member=False)
    result = run_cli("timeline", "slack", "api:", "--channel", CHANNEL, cwd=root, env={"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url})
    assert_no_traceback(result)
    assert result.code == 1 and "not_in_channel" in result.err and BOT_TOKEN not in result.err + result.out
    result = run_cli("timeline", "slack", "api:", "--channel", CHANNEL, cwd=root, env={"SLACK_BOT_TOKEN": "xoxb-not-the-real-one", "SLACK_API_URL": slack.api_url})
    assert result.code == 1 and "Slack refused SLACK_BOT_TOKEN" in result.err and "xoxb" not in result.err + result.out
    result = run_cli("timeline", "slack", "api:", "--channel", CHANNEL, cwd=root)
    assert result.code == 2 and "SLACK_BOT_TOKEN is not set" in result.err


# ---------------------------------------------------------------- the evidence, published


FILLED = {
    '"TODO: one of SEV-0, SEV-1, SEV-2, SEV-3, SEV-4"': "SEV-2",
    '["TODO: the affected service(s)"]': "[checkout]",
    '"TODO: when the first alert or report came in (e.g. 2026-05-20T14:40:00Z)"': '"2026-05-20T23:15:00Z"',
    '"TODO: when impact stopped growing, or remove this line until it is known"': '"2026-05-20T23:31:00Z"',
    '"TODO: when service was fully restored, or remove this line until it is known"': '"2026-05-20T23:52:00Z"',
    '["TODO: handles of the Subject Matter Experts"]': "[max.sme]",
    '"TODO: what will be done, as a commitment (e.g. Add a canary stage to the deploy pipeline)"': "Add a canary stage to the checkout deploy",
    '"TODO: one person\'s handle"': "max.sme",
    '"TODO: the day it is due, as YYYY-MM-DD"': "2026-06-30",
}


def evidence_site(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repo with the postmortem `new --from-slack --evidence` starts, its TODOs then filled in
    by hand as a person would, and the site built from it; returns the postmortem."""
    repo(root, theme=True)
    code, out, err = cli(root, "new", "--from-slack", str(EXPORT), "--channel", CHANNEL, "--evidence", monkeypatch=monkeypatch)
    assert code == 0, err
    postmortem = root / out.strip()
    text = postmortem.read_text()
    for todo, value in FILLED.items():
        text = text.replace(todo, value)
    text = "\n".join(line for line in text.splitlines() if not line.startswith(("One paragraph", "Customers affected", "The chain", "What the response", "Where the response", "Listed in")))
    postmortem.write_text(text.replace("status: draft", "status: in-review") + "\n")
    code, findings = _lint(root, monkeypatch)
    assert code == 0, findings  # the record beside the postmortem is not read as one
    built = build_site(root, today="2026-06-01")
    assert built.returncode == 0, built.stderr
    return postmortem


def appendix_of(root: Path) -> str:
    return (root / "site" / "2026" / "2026-05-20-checkout-outage.slack" / "index.html").read_text()


def test_the_evidence_is_a_linked_page_that_lint_ignores_and_nothing_in_it_runs(tmp_path, monkeypatch, build_env):
    root = tmp_path / "site"
    postmortem = evidence_site(root, monkeypatch)
    record = postmortem.with_name("2026-05-20-checkout-outage.slack.md").read_text()
    assert "- **23:33:00** Gus Guest: is it fixed? my email is (an e-mail address) *(in a thread)*" in record  # every message
    assert "vendor.example" not in record + appendix_of(root)  # an address typed in the channel is not published either
    assert "- **23:15:00** PagerDuty (bot): Incident #4211 triggered: checkout 5xx *(bot\\_message)*" in record
    assert "U01" not in record and "corp.example" not in record  # names, never ids or profile e-mails
    assert "[the Slack record of \\#inc-2026-05-20-checkout-outage](2026-05-20-checkout-outage.slack.md)" in postmortem.read_text()
    page = (root / "site" / "2026" / "2026-05-20-checkout-outage" / "index.html").read_text()
    assert 'href="../2026-05-20-checkout-outage.slack/"' in page
    appendix = (root / "site" / "2026" / "2026-05-20-checkout-outage.slack" / "index.html").read_text()
    assert "Slack record of #inc-2026-05-20-checkout-outage" in appendix and "Gus Guest" in appendix
    assert "<img src=x" not in appendix and "&lt;img src=x onerror=alert(1)&gt;" in appendix
    assert "onerror=alert(1)&gt;" in page and "<img src=x" not in page


def test_the_timeline_setting_chooses_the_reaction_and_the_prefix(root, monkeypatch):
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - followthrough\n", "  - followthrough:\n      timeline:\n        reaction: ':eyes:'\n        prefix: ''\n"))
    code, out, err = cli(root, "timeline", "slack", str(EXPORT), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 0 and out.splitlines()[2:] == ["| 2026-05-20 23:18 | Max Expert: deploy 2026.05.20-3 went out at 23:02, *rolling back* |"]
    config.write_text(config.read_text().replace("':eyes:'", "'two words'"))
    code, out, err = cli(root, "timeline", "slack", str(EXPORT), "--channel", CHANNEL, monkeypatch=monkeypatch)
    assert code == 2 and "timeline.reaction" in err and "two words" in err
