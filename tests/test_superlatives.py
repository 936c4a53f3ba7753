"""A superlative ranks the guide's roles only when what it ranks is a role, their pay or an end
of a range; "the best bakery in leeds" ranks nothing of the guide's, so its region is no pay
region and the question is no pay ranking."""

from __future__ import annotations

import pytest

from assistant.superlatives import ranked_words, ranks_other_things


@pytest.mark.parametrize(("question", "things"), [
    ("the best bakery in leeds?", ("bakery",)),
    ("cheapest trains to the us", ("trains",)),
    ("what's the tallest building... no wait, the biggest stadium in germany", ("stadium",)),
])
def test_a_superlative_over_something_else_names_that_thing(question, things) -> None:
    assert ranks_other_things(question) == things


@pytest.mark.parametrize("question", [
    "which is the best-paid track in the uk?",
    "highest ceiling one?",
    "top earners in germany",
    "who has the lowest starting salary",
    "the most in-demand role",
    "which is the most stressful?",     # an adjective's superlative names no thing
    "which pays the most in india",
    "top 3 roles by pay",
])
def test_a_superlative_over_roles_pay_or_a_range_end_ranks_the_guides_roles(question) -> None:
    assert ranks_other_things(question) == ()


def test_the_ranked_thing_ends_at_a_linking_word() -> None:
    assert ranked_words("the highest paid role for a career changer in the us") == [("paid", "role")]


def test_a_superlative_over_another_thing_is_no_pay_ranking_of_the_region_it_names(reader) -> None:
    reading = reader.read("the best bakery in leeds?")

    assert reading.kind != "ranking" and reading.topic != "salary" and reading.direction is None


@pytest.mark.parametrize("question", ["which is the best-paid track in the uk?",
                                      "best paying job in the us?"])
def test_a_superlative_over_roles_or_pay_is_still_a_pay_ranking(reader, question) -> None:
    reading = reader.read(question)

    assert (reading.kind, reading.topic, reading.direction) == ("ranking", "salary", "high")


def test_an_end_of_a_range_ranked_without_a_region_is_a_pay_ranking(reader) -> None:
    reading = reader.read("which track has the highest ceiling?")

    assert (reading.kind, reading.topic, reading.direction) == ("ranking", "salary", "high")
