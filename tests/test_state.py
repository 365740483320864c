"""The tracker state file's read path: a malformed file is a clear error, never a traceback."""

from __future__ import annotations

import pytest

from followthrough.core.errors import ConfigError
from followthrough.core.model import TicketState
from followthrough.files.state import read_state, write_state


def test_round_trip_and_unchanged_write(tmp_path):
    path = tmp_path / "state.json"
    states = {"pm/item": TicketState(ticket="PAY-1", status="done")}
    assert write_state(path, states) is True
    assert read_state(path) == states
    assert write_state(path, states) is False  # byte-identical: not rewritten


@pytest.mark.parametrize("text", ['{"version": 1, "items": {"x/y": "oops"}}', '{"version": 1, "items": {"x/y": {"status": "done"}}}', "not json", '{"version": 9, "items": {}}'])
def test_malformed_state_is_a_config_error_naming_the_file(tmp_path, text):
    path = tmp_path / "state.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match="state.json"):
        read_state(path)


def test_the_text_is_json_dumps_of_the_document_however_it_is_built(tmp_path):
    """render_state builds the text from its members (so sync renders the unchanged items once a
    run); it must be exactly what json.dumps makes of the whole document, for any content."""
    import json
    import random
    from datetime import date, datetime, timedelta, timezone

    from followthrough.core.model import PendingCreate
    from followthrough.files.state import STATE_VERSION, read_state_file, render_items, render_state

    rng = random.Random(5)
    words = ["PAY-1", "acme/web#7", "Won't Do", "línea\nnueva", 'a "quote"', "tab\there", "😀", "", "\u2028"]
    for _ in range(300):
        states = {
            f"pm-{i}/{rng.choice(words)}{i}": TicketState(
                ticket=rng.choice(words) or "X-1", url=rng.choice(words), status=rng.choice(["open", "done", "wont-do"]), tracker_status=rng.choice(words),
                done_on=rng.choice([None, date(2026, 5, 1)]), assignee=rng.choice([None, *words]), checked=date(2026, 6, 1),
            )
            for i in range(rng.randint(0, 4))
        }
        pending = {
            f"pm-{i}/item": PendingCreate("d", "ft-0123456789abcdef", datetime(2026, 6, 1, tzinfo=timezone.utc) + timedelta(seconds=i), why=rng.choice(words), ticket=rng.choice([None, "PAY-9"]), number=rng.choice([None, 10009]))
            for i in range(rng.randint(0, 2))
        }
        document: dict = {"version": STATE_VERSION, "items": {k: states[k].to_json() for k in sorted(states)}}
        if pending:
            document["pending"] = {k: pending[k].to_json() for k in sorted(pending)}
        expected = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        assert render_state(states, pending) == expected
        assert render_state(states, pending, items_text=render_items(states)) == expected
        path = tmp_path / "state.json"
        write_state(path, states, pending=pending)
        assert read_state_file(path).items == states and read_state_file(path).pending == pending


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("pushed_owner", ["nia.sme"], "pushed_owner must be text, not list"),
        ("pushed_owner", 5, "pushed_owner must be text, not int"),
        ("assignee", {"name": "nia"}, "assignee must be text, not dict"),
        ("ticket", None, "ticket is empty"),
        ("ticket", {"key": "PAY-1"}, "ticket must be text, not dict"),
        ("redates", "2026-06-01", "redates must be a list, not str"),
        ("redates", {"from": "2026-06-01"}, "redates must be a list, not dict"),
        ("redates", [{"seen": "2026-06-01", "destination": ["pay"]}], "a re-date's destination must be text, not list"),
    ],
)
def test_a_value_of_the_wrong_type_is_damage_naming_the_entry(tmp_path, key, value, why):
    """A list where a handle belongs would reach the sync as an unhashable key (a TypeError read
    as a tracker failure); it is the damaged-state message, naming the file and the entry."""
    import json

    path = tmp_path / "state.json"
    entry = {"ticket": "PAY-1", "status": "open", key: value}
    path.write_text(json.dumps({"version": 1, "items": {"pm/item": entry}}))
    with pytest.raises(ConfigError) as raised:
        read_state(path)
    assert f"state.json: the tracker state file is damaged (entry 'pm/item' is malformed: {why})" in str(raised.value)
