"""What a person tells of themselves is not what they ask: a gap word, a product or another job in
the telling ("i work nights as a freelance translator. what does...") does not decline the question."""

from __future__ import annotations

import pytest
from fakes.turns import history

from assistant import phrasing, prompts
from assistant.catalogue import asks_for_the_catalogue
from assistant.gaps import asked_part


@pytest.mark.parametrize(("text", "asked"), [
    # a sentence that tells, then one that asks
    ("i work nights as a freelance translator. what does an ai pm do?", "what does an ai pm do?"),
    # a clause that tells, then the clause that asks
    ("i did a udemy class on pandas, which skills does a data scientist need?",
     "which skills does a data scientist need?"),
    # not the person: kept
    ("in london, what does a data scientist make?", "in london, what does a data scientist make?"),
])
def test_the_asked_part_leaves_out_what_the_person_tells_of_themselves(text, asked) -> None:
    assert asked_part(text) == asked


@pytest.mark.parametrize("text", [
    "i'm thinking about a bootcamp, is it any good?",  # the question leans on what was told
    "i want a job with flexible hours, which role has that?",
    "i wonder how many hours an mle works",            # nothing asks: all of it
    "help me with my algebra homework: solve x + 3 = 5",  # a request made of the assistant
])
def test_the_asked_part_is_everything_when_the_question_leans_on_the_telling(text) -> None:
    assert asked_part(text) == text


@pytest.mark.parametrize("question", [
    "i freelance as an illustrator. what does a prompt engineer do all day?",
    "my current job has awful hours, what skills does an mlops engineer need?",
    "i took a coursera class last spring. what does a data scientist earn in the uk?",
    "my manager keeps talking about layoffs. how do people get into ai product management?",
])
def test_a_gap_word_in_what_the_person_tells_is_no_gap(reader, question) -> None:
    reading = reader.read(question)

    assert reading.gap is None and reading.kind == "role_fact" and reading.roles


def test_a_gap_word_in_what_is_asked_is_still_a_gap(reader) -> None:
    assert reader.read("i work in london. do data scientists work long hours?").gap == "working hours"


def test_a_product_the_person_likes_does_not_make_a_path_request_out_of_scope(reader) -> None:
    reading = reader.read("i spend all day on instagram and love writing, is there an ai job that fits me")

    assert reading.kind == "path_request" and not reading.foreign


def test_another_job_in_what_the_person_tells_is_not_the_subject(reader) -> None:
    reading = reader.read("a recruiter messaged me about a data scientist opening, what's the usual pay in the uk")

    assert reading.kind == "role_fact" and reading.roles == ("Data Scientist",) and not reading.foreign
    assert reader.read("what does a recruiter earn in the uk?").kind == "out_of_scope"


@pytest.mark.parametrize("clause", ["anyway what does an mlops engineer do", "ok so, how do i become a pm",
                                    "hmm, do research scientists need a phd", "any tips for getting into mlops"])
def test_a_clause_that_opens_with_a_filler_word_still_opens_as_a_question(clause) -> None:
    assert phrasing.opens_as_question(clause)


def test_a_statement_does_not_open_as_a_question() -> None:
    assert not phrasing.opens_as_question("anyway i have been a teacher for ten years")


@pytest.mark.parametrize("request_", ["could you draft a cover letter for an ml job?", "can u find me a bootcamp?"])
def test_a_request_put_as_can_you_is_no_yes_no_question(request_) -> None:
    assert not phrasing.is_yes_no(request_)
    assert phrasing.is_yes_no("can a data scientist move into mlops?")


def test_a_request_put_plainly_asks_whatever_it_tells() -> None:
    assert asked_part("i'm stuck on my thesis, walk me through a research career") == "walk me through a research career"
    assert asked_part("i'm stuck on my thesis, what does a research scientist do?") == (
        "what does a research scientist do?")


def test_a_follow_up_that_opens_with_filler_words_still_continues(reader) -> None:
    reading = reader.read("hmm ok and what abt data scientists, same?", history("do mlops engineers need kubernetes?"))

    assert reading.follow_up and reading.roles == ("Data Scientist",) and reading.topic == "skills"


def test_asking_for_an_exchange_rate_is_out_of_scope(reader) -> None:
    reading = reader.read("what's the pound to dollar exchange rate right now? comparing offers")

    assert reading.kind == "out_of_scope"


@pytest.mark.parametrize("question", ["which roles does this guide go through?", "what careers are mentioned here"])
def test_asking_which_roles_the_guide_has_in_other_words_is_the_catalogue(reader, question) -> None:
    assert asks_for_the_catalogue(reader.read(question))


def test_the_answer_to_a_meta_question_says_where_answers_come_from() -> None:
    assert "from one guide" in prompts.DECLINE_META


def test_which_role_pays_most_is_a_ranking_whatever_the_person_tells(reader) -> None:
    assert reader.read("i'm skint and want a raise, which ai role pays the most in the us").kind == "ranking"
    # asked for themselves, it stays a path request
    assert reader.read("i'm a chemist, which ai role makes the most sense for me?").kind == "path_request"


def test_the_path_to_a_role_asks_how_to_break_in(reader) -> None:
    assert reader.read("what's the route into mlops from sysadmin work").topic == "break_in"
