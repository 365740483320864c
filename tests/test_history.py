"""core.history: the comparison `lint --base` makes, on parsed postmortems, against findings
worked out by hand."""

from __future__ import annotations

from datetime import date

from followthrough.core.history import compare, read_base
from followthrough.core.parse import parse_postmortem
from followthrough.core.settings import DEFAULT_SETTINGS

from .conftest import BASE

PATH = "postmortems/2026/2026-05-20-payments.md"
TODAY = date(2026, 6, 2)
ITEM = """  - id: pool-size
    title: Investigate sizing the connection pool from measured peak load
    owner: nia.sme
    due: 2026-06-15
"""
ITEM_LINE = BASE[: BASE.index(ITEM)].count("\n") + 1
HEAD = ITEM.replace("    due: 2026-06-15\n", "")


def pm(item: str | None = ITEM, *, severity: str = "SEV-2", status: str = "published", path: str = PATH, text: str = BASE):
    text = text.replace(ITEM, item or "").replace("severity: SEV-2", f"severity: {severity}", 1).replace("status: published", f"status: {status}", 1)
    return parse_postmortem(text, path, DEFAULT_SETTINGS)[0]


def diff(old, new) -> list[tuple[str, str, int, str, str]]:
    """(code, level, line relative to the item, path, message)."""
    return [(f.code, f.level.value, f.line - ITEM_LINE, f.path, f.message) for f in compare([old], [new], DEFAULT_SETTINGS, "main", TODAY)]


def test_nothing_changed_nothing_found() -> None:
    assert diff(pm(), pm()) == []


def test_a_silent_move_is_a_warning_at_sev2_and_an_error_at_sev1() -> None:
    moved = HEAD + "    due: 2026-06-22\n"
    [(code, level, line, path, message)] = diff(pm(), pm(moved))
    assert (code, level, line, path) == ("FT315", "warning", 3, PATH)
    assert message == (
        "action_items[1].due: moved from 2026-06-15 to 2026-06-22 since main with no re-date recording it; "
        "add under the item: redated: [{from: 2026-06-15, to: 2026-06-22, on: 2026-06-02, reason: <why the date moved>}]"
    )
    [(code, level, *_)] = diff(pm(severity="SEV-1"), pm(moved, severity="SEV-1"))
    assert (code, level) == ("FT315", "error")
    # lowering the severity in the same change does not make it a warning
    [(code, level, *_)] = diff(pm(severity="SEV-1"), pm(moved, severity="SEV-3"))
    assert (code, level) == ("FT315", "error")


def test_a_recorded_move_is_fine() -> None:
    recorded = HEAD + "    due: 2026-06-22\n    redated:\n      - {from: 2026-06-15, to: 2026-06-22, on: 2026-06-01, reason: waiting on the vendor's fix}\n"
    assert diff(pm(severity="SEV-1"), pm(recorded, severity="SEV-1")) == []
    again = recorded.replace("    due: 2026-06-22\n", "    due: 2026-06-29\n") + "      - {from: 2026-06-22, to: 2026-06-29, on: 2026-06-02, reason: the fix failed the load test}\n"
    assert diff(pm(recorded), pm(again)) == []


def test_a_move_on_top_of_old_re_dates_asks_for_one_more_entry() -> None:
    recorded = HEAD + "    due: 2026-06-22\n    redated:\n      - {from: 2026-06-15, to: 2026-06-22, on: 2026-06-01, reason: waiting on the vendor's fix}\n"
    moved = recorded.replace("    due: 2026-06-22\n", "    due: 2026-06-29\n")
    [(code, _, line, _, message)] = diff(pm(recorded), pm(moved))
    assert (code, line) == ("FT315", 3)
    assert message.endswith("add to its redated: list - {from: 2026-06-22, to: 2026-06-29, on: 2026-06-02, reason: <why the date moved>}")


def test_re_dates_are_history() -> None:
    recorded = HEAD + "    due: 2026-06-22\n    redated:\n      - {from: 2026-06-15, to: 2026-06-22, on: 2026-06-01, reason: waiting on the vendor's fix}\n"
    edited = recorded.replace("waiting on the vendor's fix", "the vendor was late again")
    [(code, level, line, _, message)] = diff(pm(recorded), pm(edited))
    assert (code, level, line) == ("FT316", "error", 5)
    assert message == (
        "action_items[1].redated[0] was changed; re-dates are history: add new ones at the end, never edit or remove one; "
        "at main it was: - {from: 2026-06-15, to: 2026-06-22, on: 2026-06-01, reason: waiting on the vendor's fix}"
    )
    removed = HEAD + "    due: 2026-06-22\n"
    [(code, _, line, _, message)] = diff(pm(recorded), pm(removed))
    assert (code, line) == ("FT316", 0)  # no redated: left, so at the item
    assert message.startswith("action_items[1].redated[0] was removed;")


def test_the_first_re_date_starts_from_the_original_due_date() -> None:
    claimed = HEAD + "    due: 2026-06-22\n    redated:\n      - {from: 2026-06-01, to: 2026-06-22, on: 2026-06-01, reason: waiting on the vendor's fix}\n"
    [(code, _, line, _, message)] = diff(pm(), pm(claimed))
    assert (code, line) == ("FT316", 5)
    assert message == (
        "action_items[1].redated[0].from: 2026-06-01 is not the due date first committed to (2026-06-15 at main); "
        "a new re-date starts from the date it moves: from: 2026-06-15"
    )


def test_items_of_a_reviewed_postmortem_never_disappear() -> None:
    for status in ("in-review", "published"):
        [(code, level, _, path, message)] = diff(pm(status=status), pm(None, status=status))
        assert (code, level, path) == ("FT317", "error", PATH)
        assert message == (
            f"action_items: the item 'pool-size' (Investigate sizing the connection pool from measured peak load), "
            f"in this postmortem when it was {status} at main, is gone; close it as wont-do with a decision instead: items never disappear"
        )
    assert diff(pm(status="draft"), pm(None, status="draft")) == []


def test_an_item_given_its_first_id_is_the_same_item() -> None:
    no_id = ITEM.replace("  - id: pool-size\n    title:", "  - title:")
    assert diff(pm(no_id), pm()) == []  # matched by its title
    renamed = no_id.replace("Investigate sizing", "Investigate the sizing").replace("  - title:", "  - id: pool-size\n    title:")
    assert diff(pm(no_id), pm(renamed)) == []  # by its position: its id was item-2


def test_a_removed_or_renumbered_postmortem() -> None:
    old = pm()
    found = compare([old], [], DEFAULT_SETTINGS, "main", TODAY)
    assert [(f.code, f.path, f.line) for f in found] == [("FT317", PATH, 1)]
    assert found[0].message == (
        "the postmortem '2026-05-20-payments' (Card payments failed for EU customers), published at main, is gone with its 2 action item(s); "
        "restore the file and close it as wont-do with a decision instead: items never disappear (a renamed file keeps its id: id: 2026-05-20-payments)"
    )
    renamed = pm(path="postmortems/2026/2026-05-20-card-payments.md", text=BASE.replace("title: Card", "id: 2026-05-20-payments\ntitle: Card", 1))
    assert compare([old], [renamed], DEFAULT_SETTINGS, "main", TODAY) == []
    other_id = pm(text=BASE.replace("title: Card", "id: card-payments\ntitle: Card", 1))
    [f] = compare([old], [other_id], DEFAULT_SETTINGS, "main", TODAY)
    assert (f.code, f.line) == ("FT317", 2)
    assert "this file is now 'card-payments'" in f.message
    unreadable = parse_postmortem("no front-matter\n", PATH, DEFAULT_SETTINGS)[0]
    assert compare([old], [unreadable], DEFAULT_SETTINGS, "main", TODAY) == []  # its own FT001 says it
    assert compare([pm(status="draft")], [], DEFAULT_SETTINGS, "main", TODAY) == []


def test_a_new_owner_is_reported() -> None:
    handed = ITEM.replace("owner: nia.sme", "owner: max.sme")
    [(code, level, line, _, message)] = diff(pm(), pm(handed))
    assert (code, level, line) == ("FT318", "warning", 2)
    assert message == (
        "action_items[1].owner: changed from nia.sme to max.sme since main; max.sme should agree in this review "
        "(sync assigns the ticket to them once it is merged)"
    )


def test_base_files_that_cannot_be_read_are_notes() -> None:
    base = read_base([(PATH, "---\ntitle: [unclosed\n---\n"), ("postmortems/2026/ok.md", BASE)], DEFAULT_SETTINGS, "main")
    assert [p.path for p in base.postmortems] == ["postmortems/2026/ok.md"]
    [note] = base.notes
    assert note.startswith(f"{PATH} at main: not compared, its front-matter cannot be read there (FT003 ")


def test_an_item_inserted_before_items_without_ids_changes_none_of_them() -> None:
    text = BASE.replace("  - id: pool-alert\n    title:", "  - title:").replace("  - id: pool-size\n    title:", "  - title:")
    old = pm(text=text)
    assert [i.id for i in old.action_items] == ["item-1", "item-2"]
    new = pm(text=text.replace("action_items:\n", "action_items:\n  - title: Add a canary stage to the deploy pipeline\n    owner: ana.ic\n    due: 2026-06-10\n", 1))
    assert [i.id for i in new.action_items] == ["item-1", "item-2", "item-3"]
    assert compare([old], [new], DEFAULT_SETTINGS, "main", TODAY) == []  # matched by title, not by position
    removed_first = pm(text=text.replace(text[text.index("  - title: Alert") : text.index("  - title: Investigate")], ""))
    [f] = compare([old], [removed_first], DEFAULT_SETTINGS, "main", TODAY)
    assert f.code == "FT317" and "'item-1' (Alert when the payments connection pool" in f.message


def test_two_base_files_with_one_id_are_each_compared_with_their_own() -> None:
    """FT106 reports the duplicate; the comparison must not read one file's items as gone from
    the other."""
    other_path = "postmortems/2026/2026-05-20-other.md"
    first = pm(text=BASE.replace("title: Card", "id: dup\ntitle: Card", 1))
    second = pm(path=other_path, text=BASE.replace("title: Card", "id: dup\ntitle: Card", 1).replace("pool-alert", "other-alert").replace("pool-size", "other-size"))
    assert compare([first, second], [first, second], DEFAULT_SETTINGS, "main", TODAY) == []
    # One of the two removed: that one is gone, the other is compared with its own base.
    [gone] = compare([first, second], [first], DEFAULT_SETTINGS, "main", TODAY)
    assert (gone.code, gone.path) == ("FT317", other_path)
    assert "the postmortem 'dup' (Card payments failed for EU customers), published at main, is gone with its 2 action item(s)" in gone.message
