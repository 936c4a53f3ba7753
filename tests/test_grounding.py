"""Tests for assistant.grounding: figures must come from cited sources, roles from the guide."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.chain import load_guide_text
from assistant.grounding import (
    cited_ids,
    claims,
    figure_is_supported,
    figures,
    problems,
    repair_citations,
    unknown_roles,
    unsupported_figures,
    weak_claims,
    without_claims,
)

DS_SALARY = (
    "The guide's 2026 estimates for Data Scientist pay (it gives UK and US figures only):\n\n"
    "- UK: £50,000 – £100,000\n- US: $100,000 – $200,000"
)
DS_SKILLS = "The skills a Data Scientist needs:\n\n- Python, with Pandas\n- SQL\n- Probability and statistics"
MLE_SUMMARY = "A Machine Learning Engineer builds, deploys and monitors models in production."


@pytest.fixture(scope="module")
def guide_text() -> str:
    return load_guide_text(Path(__file__).resolve().parents[1] / "corpus")


# --------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("text", "currency", "value"),
    [
        ("£60,000", "£", 60_000),
        ("$250,000+", "$", 250_000),
        ("€90k", "€", 90_000),
        ("60k", "", 60_000),
        ("£1.5m", "£", 1_500_000),
        ("2 million", "", 2_000_000),
        ("150 thousand", "", 150_000),
        ("2026", "", 2026),
    ],
)
def test_figures_are_normalised_for_comparison(text: str, currency: str, value: float) -> None:
    found = figures(f"The figure is {text} a year.")

    assert [(f.currency, f.value) for f in found] == [(currency, value)]


def test_citation_markers_are_not_figures() -> None:
    assert figures("UK pay is set out in the guide [1][2].") == []


# --------------------------------------------------------------------------- unsupported figures


def test_an_invented_salary_is_unsupported() -> None:
    answer = "A Data Scientist in the UK earns £75,000 – £187,500 [1]."

    assert unsupported_figures(answer, [DS_SALARY]) == ["£75,000", "£187,500"]


def test_figures_copied_from_the_source_are_supported() -> None:
    answer = "In the UK a Data Scientist earns £50,000 – £100,000, in the US $100,000 – $200,000 [1]."

    assert unsupported_figures(answer, [DS_SALARY]) == []


@pytest.mark.parametrize("written", ["£50k", "£50K", "50,000", "50k", "£100,000"])
def test_the_same_amount_written_differently_is_supported(written: str) -> None:
    assert unsupported_figures(f"The UK range starts at {written} [1].", [DS_SALARY]) == []


def test_a_source_amount_in_another_currency_is_unsupported() -> None:
    # £200,000 is not in the guide: only $200,000 is (the US range).
    assert unsupported_figures("UK pay reaches £200,000 [1].", [DS_SALARY]) == ["£200,000"]


def test_list_numbers_are_not_checked() -> None:
    answer = "1. Learn Python [1]\n2. Learn SQL [1]"

    assert unsupported_figures(answer, [DS_SKILLS]) == []


def test_every_other_number_must_be_in_a_source_however_small() -> None:
    # "It takes about 2-3 years": a small model's own figure, in no source.
    assert unsupported_figures("It takes about 2-3 years [1].", [DS_SKILLS]) == ["2", "3"]


def test_a_year_the_sources_do_not_give_is_unsupported() -> None:
    assert unsupported_figures("These are the 2031 estimates [1].", [DS_SALARY]) == ["2031"]


@pytest.mark.parametrize(
    "written", ["£187,500", "$187,500", "187,500", "£187.5k", "187k", "£1.2m", "~£187,500", "**£187,500**",
                "USD 187,500", "£187,500+", "187 thousand"],
)
def test_an_invented_figure_is_caught_however_it_is_written(written: str) -> None:
    assert unsupported_figures(f"A Data Scientist in the UK earns {written} [1].", [DS_SALARY]) != []


@pytest.mark.parametrize("written", ["GBP187,500", "USD250k", "EUR90,000"])
def test_an_invented_figure_glued_to_a_currency_code_is_caught(written: str) -> None:
    assert unsupported_figures(f"A Data Scientist in the UK earns {written} [1].", [DS_SALARY]) != []


def test_figure_is_supported_checks_one_completed_figure() -> None:
    assert figure_is_supported("£50,000", [DS_SALARY])
    assert not figure_is_supported("£187,500", [DS_SALARY])


# --------------------------------------------------------------------------- roles


def test_a_role_the_guide_does_not_have_is_unknown(guide_text: str) -> None:
    found = unknown_roles("You could become a Blockchain Engineer [1].", guide_text)

    assert len(found) == 1 and found[0].endswith("Blockchain Engineer")


@pytest.mark.parametrize(
    "answer",
    [
        "A Data Scientist analyses data [1].",
        "A Machine Learning Engineer deploys models [1].",
        "Many Research Scientists publish papers [1].",
        "An AI Product Manager works with engineers [1].",
        "Most engineers use Python.",  # generic, not a role name
    ],
)
def test_roles_the_guide_names_are_known(answer: str, guide_text: str) -> None:
    assert unknown_roles(answer, guide_text) == []


# --------------------------------------------------------------------------- problems


def test_a_grounded_answer_has_no_problems(guide_text: str) -> None:
    answer = "A Data Scientist in the UK earns £50,000 – £100,000 [1]."

    assert problems(answer, [DS_SALARY, DS_SKILLS], allowed_text=guide_text) == []


def test_a_figure_must_be_in_the_source_the_answer_cites() -> None:
    # £50,000 is in source [1], but the answer cites only [2].
    issues = problems("A Data Scientist in the UK earns £50,000 [2].", [DS_SALARY, DS_SKILLS])

    assert issues == ["unsupported figure £50,000"]


def test_an_uncited_answer_is_checked_against_every_source() -> None:
    assert problems("A Data Scientist in the UK earns £50,000.", [DS_SKILLS, DS_SALARY]) == []


def test_a_citation_to_a_missing_source_is_a_problem() -> None:
    issues = problems("A Data Scientist needs SQL [1] [7].", [DS_SKILLS])

    assert issues == ["citation [7] does not exist"]


def test_an_invented_role_is_a_problem(guide_text: str) -> None:
    issues = problems("A Blockchain Engineer earns £50,000 [1].", [DS_SALARY], allowed_text=guide_text)

    assert len(issues) == 1 and issues[0].startswith("unknown role") and "Blockchain Engineer" in issues[0]


def test_cited_ids_lists_each_source_once_in_order() -> None:
    assert cited_ids("SQL [2], Python [1] and statistics [2].") == [2, 1]


# --------------------------------------------------------------------------- citation repair


def test_a_figure_cited_to_the_wrong_source_is_pointed_at_the_right_one() -> None:
    answer = "A Data Scientist in the UK earns £50,000 – £100,000 [1]."

    repaired = repair_citations(answer, [DS_SKILLS, DS_SALARY])

    assert repaired == "A Data Scientist in the UK earns £50,000 – £100,000 [2]."
    assert problems(repaired, [DS_SKILLS, DS_SALARY]) == []


def test_a_correct_citation_is_left_alone() -> None:
    answer = "Data Scientists need SQL [1]. In the UK they earn £50,000 – £100,000 [2]."

    assert repair_citations(answer, [DS_SKILLS, DS_SALARY]) == answer


def test_an_invented_figure_is_not_given_a_citation() -> None:
    answer = "A Data Scientist in the UK earns £187,500 [1]."
    repaired = repair_citations(answer, [DS_SKILLS, DS_SALARY])

    assert repaired == answer
    assert problems(repaired, [DS_SKILLS, DS_SALARY]) == ["unsupported figure £187,500"]


# --------------------------------------------------------------------------- claim support

PYTHON = "The six cross-cutting skills:\n\n1. Python: the common language of AI work\n2. SQL: every AI job uses data"


def test_an_invented_elaboration_is_a_weak_claim() -> None:
    # The real 1.5B's answer to "Why learn Python?" in the gold eval.
    answer = ("Python is the common language of AI work [1]. "
              "It is also a popular language for developing web applications and APIs.")
    assert weak_claims(answer, [PYTHON]) == ["It is also a popular language for developing web applications and APIs."]


def test_paraphrase_and_filler_are_supported() -> None:
    answers = [
        "A Data Scientist in the UK earns between £50,000 and £100,000 per year [1].",
        "- Python, with Pandas [2]\n- SQL [2]\n- Probability and statistics [2]",
        "Yes [1].",  # too few content words to judge
    ]
    for answer in answers:
        assert weak_claims(answer, [DS_SALARY, DS_SKILLS]) == [], answer


def test_without_claims_keeps_the_rest_of_the_layout() -> None:
    answer = "Data Scientists need:\n- SQL [1]\n- Kubernetes wizardry and quantum annealing [1]\n\nThat is all [1]."
    weak = weak_claims(answer, [DS_SKILLS])
    assert weak == ["Kubernetes wizardry and quantum annealing [1]"]
    assert without_claims(answer, weak) == "Data Scientists need:\n- SQL [1]\n\nThat is all [1]."


@pytest.mark.parametrize("answer", ["[1]", " [1] [2].", "[1]\n"])
def test_an_answer_of_citations_alone_is_a_problem(answer) -> None:
    assert problems(answer, [DS_SALARY, DS_SKILLS]) == ["nothing but citations"]


def test_citations_left_alone_are_no_claim() -> None:
    assert claims("[1] [2]") == [] and claims("SQL [1].\n[2]") == ["SQL [1]."]
