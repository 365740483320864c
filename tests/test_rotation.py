"""The People and roles page's counts (core/learning/rotation.py), worked out by hand."""

from __future__ import annotations

from dataclasses import replace

from followthrough.core.learning.rotation import rotation
from followthrough.core.model import ROLES, Directory, Person, Roles

from .test_metrics import pm

DIRECTORY = Directory(
    people={
        "ana": Person("ana", "Ana Lima", email="ana@example.com", slack="U1", github="ana-gh", team="sre"),
        "bo": Person("bo", "Bo Chen", email="bo@example.com"),
        "cy": Person("cy", "Cy Diaz"),
    },
    present=True,
)


def with_roles(id: str, started: str, roles: Roles, **kw):
    return replace(pm(id, started=started, **kw), roles=roles, title=f"Title of {id}")


def corpus():
    return [
        with_roles("i1", "2024-01-10T00:00:00Z", Roles(commander="ana", scribe="bo", sme=("cy", "guest"))),
        with_roles("i2", "2024-03-01T00:00:00Z", Roles(commander="ana", sme=("cy", "cy"))),  # an SME named twice counts once
        with_roles("g1", "2024-02-01T00:00:00Z", Roles(commander="bo", scribe="cy"), kind="game-day"),
        with_roles("n1", "2024-04-01T00:00:00Z", Roles(commander="cy", deputy="ana"), kind="near-miss"),
        with_roles("d1", "2024-05-01T00:00:00Z", Roles(commander="bo", scribe="ana"), status="draft"),  # not counted
    ]


def test_counts_game_days_and_last_held():
    rot = rotation(corpus(), DIRECTORY)
    assert (rot.postmortems, rot.game_days) == (4, 1)
    people = {p.handle: p for p in rot.people}
    assert [p.handle for p in rot.people] == ["ana", "bo", "cy", "guest"]  # by name; the guest by handle
    ana = people["ana"]
    assert (ana.roles["commander"].count, ana.roles["commander"].game_days, ana.roles["commander"].last.id) == (2, 0, "i2")
    assert ana.roles["scribe"].count == 0  # the draft does not count
    assert (ana.roles["deputy"].count, ana.roles["deputy"].last.id) == (1, "n1")  # near misses count
    bo = people["bo"]
    assert (bo.roles["commander"].count, bo.roles["commander"].game_days, bo.roles["commander"].last.id) == (1, 1, "g1")
    cy = people["cy"]
    assert (cy.roles["sme"].count, cy.roles["sme"].last.id) == (2, "i2")
    assert (cy.roles["scribe"].count, cy.roles["scribe"].game_days) == (1, 1)
    assert (cy.total, ana.total, bo.total) == (4, 3, 2)  # cy: SME twice, scribe (game day), commander (near miss)
    assert list(ana.roles) == list(ROLES)


def test_never_held_lists_and_people_outside_the_directory():
    rot = rotation(corpus(), DIRECTORY)
    assert [p.handle for p in rot.never["commander"]] == []  # everyone listed has been IC (bo only in a game day)
    assert [p.handle for p in rot.never["scribe"]] == ["ana"]
    assert [(p.handle, p.name, p.unlisted) for p in rot.unlisted] == [("guest", "guest", True)]
    # A person of the directory who holds no role is listed, with zeros, and never held either.
    bigger = replace(DIRECTORY, people={**DIRECTORY.people, "dee": Person("dee", "Dee Ek")})
    rot = rotation(corpus(), bigger)
    dee = next(p for p in rot.people if p.handle == "dee")
    assert dee.total == 0 and not dee.unlisted
    assert [p.handle for p in rot.never["commander"]] == ["dee"]


def test_without_a_directory_no_one_is_marked():
    rot = rotation(corpus(), Directory())
    assert [p.handle for p in rot.people] == ["ana", "bo", "cy", "guest"]
    assert rot.unlisted == ()


def test_last_held_breaks_ties_by_id_and_undated_sorts_first():
    a = with_roles("a", "2024-01-01T00:00:00Z", Roles(commander="ana"))
    b = with_roles("b", "2024-01-01T00:00:00Z", Roles(commander="ana"))
    undated = replace(with_roles("z", "2024-01-01T00:00:00Z", Roles(commander="ana")), started=None)
    rot = rotation([b, undated, a], DIRECTORY)
    held = rot.people[0].roles["commander"]
    assert (held.count, held.last.id) == (3, "b")


def test_nothing_private_is_kept():
    rot = rotation(corpus(), DIRECTORY)
    fields = {f for p in rot.people for f in p.__slots__}
    assert fields == {"handle", "name", "unlisted", "roles"}


def test_rotation_is_linear_in_postmortems():
    many = [with_roles(f"p{k:05d}", "2024-01-01T00:00:00Z", Roles(commander=f"h{k % 200}", scribe=f"h{(k + 1) % 200}")) for k in range(3000)]
    rot = rotation(many, Directory())
    assert len(rot.people) == 200 and sum(p.roles["commander"].count for p in rot.people) == 3000
