"""Responsibility chain from a household, a building or an estate."""

from __future__ import annotations

from graph.chain import PlaceAncestry, Responsibilities, gaps, responsibility_chain

DUTIES = Responsibilities(
    contacts={"h1": "m1"},
    group_leaders={"b1": "g1"},
    branch_secretaries={"e1": "s1"},
    community_secretaries={"c1": "cs"},
    community_leaders={"c1": "lead"},
    working_committee_secretaries={"sd": "wc"},
)


def test_given_a_fully_staffed_household_then_the_chain_runs_to_the_working_committee() -> None:
    chain = responsibility_chain(PlaceAncestry("sd", "c1", "e1", "b1", "h1"), DUTIES)

    assert [(link.role, link.person_id) for link in chain] == [
        ("contact member", "m1"),
        ("building group leader", "g1"),
        ("branch secretary", "s1"),
        ("community secretary", "cs"),
        ("leader pairing", "lead"),
        ("working committee secretary", "wc"),
    ]
    assert chain[4].place == "community c1"
    assert gaps(chain) == ()


def test_given_missing_holders_then_each_gap_is_named() -> None:
    chain = responsibility_chain(PlaceAncestry("sd", "c2", "e2", "b2", "h2"), DUTIES)

    assert [link.person_id for link in chain[:5]] == [None] * 5
    assert gaps(chain) == (
        "household h2 has no contact member",
        "building b2 has no building group leader",
        "estate e2 has no branch secretary",
        "community c2 has no community secretary",
        "neither estate e2 nor community c2 has a leader pairing",
    )


def test_given_an_estate_start_then_lower_links_are_skipped_and_estate_pairing_wins() -> None:
    duties = Responsibilities(estate_leaders={"e1": "el"}, community_leaders={"c1": "cl"})

    chain = responsibility_chain(PlaceAncestry("sd", "c1", "e1"), duties)

    assert chain[0].role == "branch secretary"
    assert (chain[2].person_id, chain[2].place) == ("el", "estate e1")
