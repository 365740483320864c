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
