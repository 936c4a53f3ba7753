"""Tests for assistant.computed: comparisons, rankings, skill look-ups, sections and the guide's
silence answered from parsed role facts, by code, with citations (no model involved)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant import computed
from assistant.chain import load_guide_text
from assistant.grounding import cited_ids, unsupported_figures
from assistant.roles import RoleFacts, load_roles
from assistant.salaries import SalaryRange
from assistant.understanding import QuestionReader

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def roles() -> dict[str, RoleFacts]:
    return load_roles(REPO / "corpus")


@pytest.fixture(scope="module")
def reader(roles) -> QuestionReader:
    return QuestionReader(roles, load_guide_text(REPO / "corpus"))


def answer(reader: QuestionReader, roles, question: str, history: list[dict] | None = None) -> computed.Computed:
    result = computed.compute(reader.read(question, history or []), roles)
    assert result is not None, question
    return result


def assert_grounded(result: computed.Computed) -> None:
    texts = [s["text"] for s in result.sources]
    assert unsupported_figures(result.text, texts) == []
    assert set(cited_ids(result.text)) <= {s["id"] for s in result.sources}


# --------------------------------------------------------------------------- comparisons


def test_a_salary_comparison_names_the_higher_role_from_the_figures(reader, roles) -> None:
    result = answer(reader, roles, "data scientist vs ai product manager in the uk, who earns more?")

    assert "The AI Product Manager is paid more" in result.text
    assert "£70,000 – £150,000" in result.text and "£50,000 – £100,000" in result.text
    assert_grounded(result)
    assert [s["section"] for s in result.sources] == ["Data Scientist / Salary range",
                                                      "AI Product Manager / Salary range"]


def test_asking_who_earns_less_names_the_lower_role(reader, roles) -> None:
    result = answer(reader, roles, "who makes less in the US, a data scientist or an AI PM?")

    assert "The Data Scientist is paid less" in result.text


def test_an_open_ended_top_is_not_claimed_to_be_higher_or_lower(reader, roles) -> None:
    result = answer(reader, roles, "who makes less in the US, an ML engineer or an AI PM?")

    assert "open-ended at the top" in result.text and "paid less" not in result.text


def test_without_a_region_every_shared_region_is_compared_and_currencies_never_mix(reader, roles) -> None:
    result = answer(reader, roles, "ml engineer or data scientist: which pays better?")

    uk, us = result.text.index("In the UK"), result.text.index("In the US")
    assert "£" in result.text[uk:us] and "$" not in result.text[uk:us]
    assert "global tech hubs" not in result.text  # only the ML Engineer has a figure there
    assert_grounded(result)


def test_a_region_only_one_role_has_is_said_plainly_not_compared(reader, roles) -> None:
    result = answer(reader, roles, "in Berlin, does an ML engineer or a data scientist earn more?")

    assert "no figure for the Data Scientist in global tech hubs" in result.text
    assert "paid more" not in result.text


def test_ranges_that_cross_are_not_called_higher() -> None:
    a = RoleFacts(title="A"), SalaryRange("UK", "GBP", 70_000, 120_000, False)
    b = RoleFacts(title="B"), SalaryRange("UK", "GBP", 60_000, 150_000, False)

    assert computed.verdict([a, b], "high").startswith("Neither range is higher at both ends")


def test_an_open_upper_bound_is_higher_only_when_its_known_part_is() -> None:
    open_low = RoleFacts(title="Open"), SalaryRange("US", "USD", 120_000, 200_000, True)
    closed_high = RoleFacts(title="Closed"), SalaryRange("US", "USD", 130_000, 250_000, False)
    open_high = RoleFacts(title="Open"), SalaryRange("US", "USD", 140_000, 250_000, True)

    assert "do not say which is paid more" in computed.verdict([open_low, closed_high], "high")
    assert computed.verdict([open_high, closed_high], "high").startswith("The Open is paid more")


# --------------------------------------------------------------------------- rankings


def test_a_ranking_orders_every_profiled_role_in_the_region(reader, roles) -> None:
    result = answer(reader, roles, "which AI career pays the most in the states?")

    lines = [line for line in result.text.splitlines() if line[:2].rstrip(".").isdigit()]
    assert lines[0].startswith("1. AI/ML Research Scientist: $150,000 – $500,000+")
    assert len(lines) == sum(1 for r in roles.values() if computed.ranges_in(r, "us"))
    assert "£" not in result.text
    assert_grounded(result)


def test_a_lowest_ranking_starts_from_the_lowest_figure(reader, roles) -> None:
    result = answer(reader, roles, "what's the worst paid role in the UK?")

    first = next(line for line in result.text.splitlines() if line.startswith("1. "))
    assert "£40,000" in first


def test_a_ranking_by_starting_pay_says_the_guide_has_no_seniority_and_ranks_by_the_lower_ends(reader, roles) -> None:
    result = answer(reader, roles, "in the us which of these roles has the lowest starting pay?")

    assert not result.declined and "does not break pay down by seniority" in result.text
    first = next(line for line in result.text.splitlines() if line.startswith("1. "))
    assert "$90,000" in first and "Prompt Engineer" in first
    assert_grounded(result)


def test_one_roles_junior_pay_is_not_in_the_guide_but_its_ranges_are_given(reader, roles) -> None:
    result = answer(reader, roles, "how much does a junior data scientist make in the uk?")

    assert result.declined and result.reason == "not_in_guide"
    assert "seniority" in result.text and "£50,000 – £100,000" in result.text
    assert_grounded(result)


def test_which_roles_need_a_skill_lists_only_roles_whose_skills_say_so(reader, roles) -> None:
    result = answer(reader, roles, "which jobs need docker?")

    assert "MLOps / AI Infrastructure Engineer" in result.text
    assert "Data Scientist" not in result.text
    assert_grounded(result)


def test_which_role_does_a_task_names_the_role_whose_tasks_say_so(reader, roles) -> None:
    result = answer(reader, roles, "which job runs a/b tests")

    assert "Data Scientist (day-to-day tasks)" in result.text
    assert "Machine Learning Engineer" not in result.text and "Prompt Engineer" not in result.text
    assert_grounded(result)


def test_a_skill_no_profile_lists_is_said_plainly(reader, roles) -> None:
    result = answer(reader, roles, "which roles require cobol?")

    assert result.declined and result.reason == "not_in_guide" and "cobol" in result.text


# --------------------------------------------------------------------------- sections


def test_a_plain_section_question_gets_the_section_with_its_citation(reader, roles) -> None:
    result = answer(reader, roles, "what skills do mlops engineers need?")

    assert "Docker and Kubernetes" in result.text and "[1]" in result.text
    assert result.sources[0]["section"] == "MLOps / AI Infrastructure Engineer / Skills"


def test_a_salary_question_with_a_region_gets_that_regions_range(reader, roles) -> None:
    result = answer(reader, roles, "how much does an ai pm make in america")

    assert "$140,000 – $280,000" in result.text and "£" not in result.text


def test_the_global_tech_hubs_range_names_its_cities(reader, roles) -> None:
    result = answer(reader, roles, "what does an ml engineer make in singapore?")

    assert "€70,000 – €160,000" in result.text and "Berlin, Toronto, Singapore" in result.text
    assert_grounded(result)


def test_what_one_would_realistically_earn_is_the_guides_figures(reader, roles) -> None:
    result = answer(reader, roles, "im eyeing the policy side of ai safety. what would i realistically earn doing that?")

    assert "£40,000 – £100,000" in result.text
    assert_grounded(result)


def test_why_a_role_is_well_paid_is_left_to_the_model(reader, roles) -> None:
    assert computed.compute(reader.read("Why is a Data Scientist in the UK well paid?"), roles) is None


def test_the_pay_of_one_of_a_roles_tracks_is_its_salary_not_its_tracks(reader, roles) -> None:
    result = answer(reader, roles, "ai ethics / policy type jobs, what do they pay? not the hardcore technical ones")

    assert "£40,000 – £100,000" in result.text and "Day-to-day tasks" not in result.text
    assert_grounded(result)


def test_the_pay_of_one_track_is_that_tracks_line_alone(reader, roles) -> None:
    result = answer(reader, roles, "policy-track ai safety folks: what's the typical pay, technical aside?")

    assert "£40,000 – £100,000" in result.text and "$150,000" not in result.text
    assert_grounded(result)


def test_one_tracks_pay_in_a_region_it_has_no_figure_for_is_not_in_the_guide(reader, roles) -> None:
    result = answer(reader, roles, "how much do ai ethics people on the policy track earn in america?")

    assert result.declined and result.reason == "not_in_guide"
    assert "$150,000" not in result.text and "£40,000 – £100,000" in result.text
    assert "no salary figures for the US for the AI Safety & Ethics Researcher on this track" in result.text
    assert_grounded(result)


def test_a_yes_no_question_is_left_to_the_model(reader, roles) -> None:
    assert computed.compute(reader.read("Do data scientists need SQL?"), roles) is None


@pytest.mark.parametrize(("question", "shown", "not_shown"), [
    ("Is a Machine Learning Engineer in the UK well paid?", "£60,000 – £130,000", "$"),
    ("do data scientists earn a lot in the states?", "$", "£"),
])
def test_a_yes_no_question_about_pay_gets_the_figures(reader, roles, question, shown, not_shown) -> None:
    result = answer(reader, roles, question)

    assert shown in result.text and not_shown not in result.text
    assert_grounded(result)


def test_why_a_role_is_paid_well_is_left_to_the_model(reader, roles) -> None:
    assert computed.compute(reader.read("Why is a Data Scientist in the UK well paid?"), roles) is None


# --------------------------------------------------------------------------- silence


def test_a_job_outside_the_guide_in_a_pay_comparison_declines_with_the_roles_figures(reader, roles) -> None:
    result = answer(reader, roles, "how much does a dentist make compared to a data scientist?")

    assert result.declined and result.reason == "not_in_guide"
    assert "dentist" in result.text and "£50,000 – £100,000" in result.text
    assert_grounded(result)


def test_a_country_without_figures_declines_with_the_figures_the_guide_gives(reader, roles) -> None:
    result = answer(reader, roles, "data scientist salary in australia?")

    assert result.declined and result.reason == "not_in_guide"
    assert "no salary figures for Australia" in result.text and "£50,000 – £100,000" in result.text
    assert_grounded(result)


def test_a_region_the_role_lacks_declines_with_the_roles_own_figures(reader, roles) -> None:
    result = answer(reader, roles, "what do prompt engineers earn in Toronto?")

    assert result.declined and "Prompt Engineer" in result.text and "€" not in result.text


def test_future_pay_is_not_in_the_guide_and_todays_estimates_are_given(reader, roles) -> None:
    result = answer(reader, roles, "how much will an ML engineer make in 2030?")

    assert result.declined and "future salaries" in result.text and "2026 estimates" in result.text
    assert_grounded(result)


@pytest.mark.parametrize("question", ["and by 2031?", "what about in 2030"])
def test_an_outlook_asked_for_a_later_year_is_no_forecast_the_guide_makes(reader, roles, question) -> None:
    history = [{"role": "user", "content": "is mlops a growing field? how's the job outlook"},
               {"role": "assistant", "content": "..."}]

    result = answer(reader, roles, question, history)

    assert result.declined and result.reason == "not_in_guide" and "forecasts for later years" in result.text
    assert "shortage of qualified practitioners" in result.text  # what it says of now, cited
    assert_grounded(result)


def test_an_outlook_over_the_coming_years_is_the_guides_outlook(reader, roles) -> None:
    result = answer(reader, roles, "how's the job outlook for mlops over the next few years?")

    assert not result.declined and "shortage of qualified practitioners" in result.text


def test_a_listed_only_track_says_the_guide_has_no_profile(reader, roles) -> None:
    result = answer(reader, roles, "computer vision engineer salary in the UK")

    assert result.declined and "no detailed profile" in result.text
    assert "£" not in result.text


def test_comparing_listed_only_tracks_says_the_guide_has_no_profile_for_either(reader, roles) -> None:
    result = answer(reader, roles, "nlp engineer or computer vision engineer: who earns more in the us?")

    assert result.declined and result.reason == "not_in_guide" and "no detailed profile for them" in result.text
    assert "Computer Vision Engineer" in result.text and "NLP / LLM Engineer" in result.text and "$" not in result.text


def test_a_follow_up_about_a_region_the_role_lacks_is_not_another_roles_figure(reader, roles) -> None:
    history = [{"role": "user", "content": "mlops pay in the uk?"}, {"role": "assistant", "content": "..."}]

    result = answer(reader, roles, "and in singapore?", history)

    assert result.declined and "€" not in result.text


def test_one_stray_word_of_a_which_question_is_not_a_skill_match(roles) -> None:
    # "calls" appears in a skill line ("SQL, which the guide calls absolutely essential")
    assert computed.roles_needing("call point", roles) is None


# --------------------------------------------------------------------------- comparisons on the quiz's questions


def test_who_codes_more_is_answered_from_the_quiz_sides_and_the_profiles(reader, roles) -> None:
    result = answer(reader, roles, "who codes more, an ml engineer or an ai product manager?")

    assert "Do you love writing code for its own sake?" in result.text
    verdict = next(line for line in result.text.splitlines() if line.startswith("So by"))
    assert verdict.index("Machine Learning Engineer") < verdict.index("AI Product Manager")
    assert "don't write the code" in result.text
    assert_grounded(result)


def test_who_codes_more_is_answered_from_the_quiz_even_with_a_topic_word(reader, roles) -> None:
    result = answer(reader, roles, "which involves more coding, being an ai pm or an ml engineer")

    assert "the Machine Learning Engineer leans further towards this than the AI Product Manager" in result.text
    assert_grounded(result)


def test_a_role_names_own_words_are_no_quiz_question(reader, roles) -> None:
    # "research" in "research scientist" asks nothing of the quiz's research question.
    result = computed.compute(reader.read("which is harder to get into, research scientist or mle?"), roles)
    assert result is None or "The guide's quiz asks" not in result.text


def test_two_roles_on_the_same_side_of_the_quiz_are_not_ranked(reader, roles) -> None:
    result = answer(reader, roles, "ml engineer vs mlops engineer: which one codes more?")

    assert "does not say which" in result.text and "So by" not in result.text


@pytest.mark.parametrize("question", ["how is a data scientist different from an ml engineer?",
                                      "isnt a data scientist basically the same job as an ml engineer?"])
def test_how_two_roles_differ_is_their_summaries_and_the_guides_line_that_sets_them_apart(reader, roles, question) -> None:
    result = answer(reader, roles, question)

    assert [s["section"] for s in result.sources] == [
        "Data Scientist / Summary", "Machine Learning Engineer / Summary", "Data Scientist / How it differs from ML Engineer"]
    assert "overlap" in result.text
    assert_grounded(result)


def test_how_two_roles_differ_on_a_quiz_subject_is_still_their_profiles_not_the_quiz(reader, roles) -> None:
    result = answer(reader, roles, "research scientist vs ml engineer, is it basically research vs building? how do they differ")

    assert [s["section"] for s in result.sources][:2] == ["AI/ML Research Scientist / Summary",
                                                          "Machine Learning Engineer / Summary"]
    assert "production" in result.text and "quiz" not in result.text
    assert_grounded(result)


@pytest.mark.parametrize(("question", "side", "other"), [
    ("what are the least technical kinds of ai work?", "AI Product Manager", "Machine Learning Engineer"),
    ("which role is the most hands-on with code?", "Machine Learning Engineer", "AI Product Manager"),
])
def test_a_superlative_on_a_quiz_question_is_the_side_the_quiz_puts_roles_on(reader, roles, question, side,
                                                                              other) -> None:
    result = answer(reader, roles, question)

    assert side in result.text and other not in result.text and "does not rank" in result.text
    assert_grounded(result)


def test_two_roles_same_section_are_set_side_by_side(reader, roles) -> None:
    result = answer(reader, roles, "ds vs mle skills")

    assert [s["section"] for s in result.sources] == ["Data Scientist / Skills", "Machine Learning Engineer / Skills"]
    assert "SQL" in result.text and "CI/CD" in result.text
    assert result.text.index("**Data Scientist**") < result.text.index("**Machine Learning Engineer**")
    assert_grounded(result)


@pytest.mark.parametrize("question", ["which is harder to get into, data science or ml engineering?",
                                      "why would someone pick data science over ml engineering?"])
def test_a_comparison_asking_for_a_verdict_is_left_to_the_model(reader, roles, question) -> None:
    reading = reader.read(question)

    assert reading.kind == "comparison" and computed.compute(reading, roles) is None


def test_a_role_neither_the_quiz_nor_its_profile_places_leaves_the_comparison_to_the_model(reader, roles) -> None:
    reading = reader.read("who does more research, a data scientist or a prompt engineer?")

    assert reading.kind == "comparison" and computed.compute(reading, roles) is None


def test_what_the_quiz_asks_lists_its_questions_and_where_each_answer_points(reader, roles) -> None:
    from assistant.quiz import BACKGROUND_QUESTION, QUESTIONS

    result = answer(reader, roles, "what questions does the guide ask to help you pick a path?")

    assert all(q.text in result.text for q in QUESTIONS) and BACKGROUND_QUESTION in result.text
    assert "Data analyst → Data Scientist" in result.text
    assert_grounded(result)


@pytest.mark.parametrize("question", ["recommend me a path", "I want to take the quiz", "which path should I choose?"])
def test_a_path_request_that_says_nothing_about_the_person_gets_the_quizs_questions(reader, roles, question) -> None:
    from assistant.quiz import QUESTIONS

    reading = reader.read(question, [])
    result = computed.compute(reading, roles)

    assert reading.kind == "path_request"
    assert result is not None and all(q.text in result.text for q in QUESTIONS)
    assert "% fit" not in result.text
    assert_grounded(result)


@pytest.mark.parametrize("question", ["I love coding and hate meetings, which path suits me?",
                                      "I know python and SQL, recommend me a role"])
def test_a_path_request_that_says_something_is_left_to_the_cards(reader, roles, question) -> None:
    reading = reader.read(question, [])

    assert reading.kind == "path_request"
    assert computed.compute(reading, roles) is None


def test_a_roles_two_tracks_are_set_side_by_side_from_its_sections(reader, roles) -> None:
    result = answer(reader, roles, "What's the difference between the technical and the policy tracks in AI safety work?")

    assert "Alignment work" in result.text and "governance frameworks" in result.text
    assert result.text.index("Technical track") < result.text.index("Policy and ethics track")
    assert "###" not in result.text
    assert_grounded(result)


def test_how_a_roles_tracks_differ_including_pay_adds_each_tracks_range(reader, roles) -> None:
    result = answer(reader, roles, "technical vs policy side of ai safety: how do they differ, pay included")

    assert "Alignment work" in result.text and "Policy analysis" in result.text
    assert "$150,000 – $400,000+" in result.text and "£40,000 – £100,000" in result.text
    assert_grounded(result)


@pytest.mark.parametrize("question", ["can u give me a quick overview of the ai career paths in the guide",
                                      "what roles are there in ai?", "What careers does the guide cover?"])
def test_asking_for_the_guides_tracks_lists_them_all(reader, roles, question) -> None:
    result = answer(reader, roles, question)

    assert all(title in result.text for title in roles)
    assert "Data Engineer, Computer Vision Engineer, NLP / LLM Engineer" in result.text  # listed, not profiled
    assert_grounded(result)


def test_a_question_about_the_tracks_that_asks_something_more_is_not_the_list(reader, roles) -> None:
    reading = reader.read("which ai roles didn't even exist in job descriptions back in 2020?")

    assert computed.compute(reading, roles) is None


def test_asking_about_a_listed_only_track_says_the_guide_gives_no_profile(reader, roles) -> None:
    result = answer(reader, roles, "tell me about computer vision engineers")

    assert result.declined and result.reason == "not_in_guide" and "no detailed profile" in result.text


# --------------------------------------------------------------------------- the guide itself


# Which questions ask about the guide itself is read by meaning (tests/test_understanding_semantic.py).
def test_an_overview_of_the_whole_guide_is_its_catalogue_of_tracks(roles) -> None:
    from assistant.understanding import Reading

    result = computed.compute(Reading(question="tl;dr?", kind="general", topic="overview", text="tl;dr?"), roles)

    assert result is not None and all(title in result.text for title in roles)
    assert_grounded(result)


def test_a_question_about_the_guide_is_answered_from_its_about_section(reader, roles) -> None:
    reading = replace(reader.read("where does ur info come from and how current is it"), topic="about")

    result = computed.compute(reading, roles)

    assert result is not None and not result.declined
    assert "Ramesh Reddy Adutla" in result.text and "2026" in result.text and "AI Educademy" in result.text
    assert [s["section"] for s in result.sources] == ["Overview / About this guide"]
    assert_grounded(result)


@pytest.mark.parametrize("question", ["hello", "thanks!"])
def test_a_greeting_gets_what_the_assistant_can_help_with(reader, roles, question) -> None:
    result = answer(reader, roles, question, [{"role": "user", "content": "what does a data scientist earn?"}])

    assert all(t in result.text for t, f in roles.items() if f.detailed)
    assert "Ramesh Reddy Adutla" in result.text and not result.declined
    assert_grounded(result)


def test_asking_what_the_assistant_can_help_with_names_the_roles_and_the_guide(reader, roles) -> None:
    result = computed.compute(replace(reader.read("hi! what can you help me with?"), topic="help"), roles)

    assert result is not None and not result.declined
    assert all(t in result.text for t, f in roles.items() if f.detailed)
    assert_grounded(result)


def test_a_role_question_with_a_provenance_word_stays_a_role_question(reader, roles) -> None:
    reading = reader.read("where do data scientists usually come from?")

    assert reading.topic not in {"about", "help"}


@pytest.mark.parametrize(("question", "first", "lead"), [
    ("which uk role has the highest starting point, i.e. the bottom of the salary range is highest?",
     "AI/ML Research Scientist: £80,000", "highest starting figure"),
    ("which role has the lowest ceiling in the us?", "Prompt Engineer / AI Solutions Specialist: $90,000 – $180,000",
     "lowest top figure"),
])
def test_a_ranking_goes_by_the_end_of_the_range_the_question_names(reader, roles, question, first, lead) -> None:
    result = answer(reader, roles, question)

    top = next(line for line in result.text.splitlines() if line.startswith("1. "))
    assert first in top and lead in result.text
    assert_grounded(result)


@pytest.mark.parametrize("question", ["How much do prompt engineers make in the UK and in the US? 🙏",
                                      "how does data scientist pay compare uk vs us"])
def test_one_roles_pay_asked_in_two_regions_gives_both_ranges(reader, roles, question) -> None:
    result = answer(reader, roles, question)

    assert not result.declined
    for region in ("uk", "us"):
        for r in computed.ranges_in(roles[reader.read(question).roles[0]], region):
            assert r.display(with_qualifier=True) in result.text
    assert_grounded(result)


def test_a_region_one_of_several_lacks_is_said_plainly(reader, roles) -> None:
    result = answer(reader, roles, "data scientist salary in the us and in berlin?")

    assert "$100,000 – $200,000" in result.text and "Global tech hubs: the guide gives no figure" in result.text


def test_a_role_asked_about_in_a_region_with_no_topic_word_asks_its_pay(reader, roles) -> None:
    result = answer(reader, roles, "im based in london but curious - what would an mlops engineer pull in across the pond?")

    assert "$130,000 – $250,000" in result.text and "£" not in result.text


@pytest.mark.parametrize("question", ["im a devops eng. how do i get into mlops specifically",
                                      "how do i become an ml engineer"])
def test_how_to_break_in_comes_with_the_skills_the_guide_lists_for_the_role(reader, roles, question) -> None:
    result = answer(reader, roles, question)
    facts = roles[reader.read(question).roles[0]]

    assert facts.sections["How to break in"].strip().splitlines()[-1].strip()[:40] in result.text
    assert all(skill in result.text for skill in facts.skills)
    assert [s["section"].split(" / ")[-1] for s in result.sources] == ["How to break in", "Skills"]
    assert_grounded(result)


@pytest.mark.parametrize(("question", "first", "absent"), [
    ("best paid ai job where i don't have to write code, stateside", "AI Product Manager: $140,000 – $280,000",
     ("Research Scientist", "$400,000", "Machine Learning Engineer")),
    ("which non-technical ai role pays best in the uk?", "AI Product Manager: £70,000 – £150,000",
     ("Research Scientist", "MLOps")),
    ("which role involving lots of coding pays the most in the uk?", "MLOps / AI Infrastructure Engineer: £70,000",
     ("AI Product Manager", "Prompt Engineer")),
])
def test_a_pay_ranking_with_a_condition_the_quiz_asks_ranks_only_that_side(reader, roles, question, first, absent) -> None:
    result = answer(reader, roles, question)

    top = next(line for line in result.text.splitlines() if line.startswith("1. "))
    assert first in top and "quiz" in result.text
    assert not any(a in result.text.split("\n\n", 2)[-1] for a in absent)
    assert_grounded(result)


@pytest.mark.parametrize("question", ["ignoring research, which ai role pays the most in the uk?",
                                      "research aside, which ai job pays the most in the uk"])
def test_a_pay_ranking_that_sets_a_quiz_subject_aside_leaves_out_only_its_yes_side(reader, roles, question) -> None:
    result = answer(reader, roles, question)

    top = next(line for line in result.text.splitlines() if line.startswith("1. "))
    assert "AI Product Manager: £70,000 – £150,000" in top and "quiz" in result.text
    assert "Research Scientist:" not in result.text and "Safety & Ethics Researcher:" not in result.text
    assert "Prompt Engineer / AI Solutions Specialist:" in result.text  # on neither side: it stays
    assert_grounded(result)


def test_a_comparison_on_a_quiz_question_the_quiz_places_one_side_of_uses_the_profiles_lines(reader, roles) -> None:
    result = answer(reader, roles, "data science vs ai product management - which one involves more actual coding?")

    assert "Data Scientist: the quiz does not place it" in result.text
    assert "Python" in result.text and "don't write the code" in result.text
    assert "leans further towards this than" not in result.text  # no verdict the quiz does not give
    assert_grounded(result)


def test_yes_or_no_on_the_skills_of_a_role_split_into_tracks_gives_each_tracks_skills(reader, roles) -> None:
    result = answer(reader, roles, "do all ai safety/ethics jobs need a strong ml background?")

    assert "depends on the track" in result.text
    assert "Technical track" in result.text and "Policy and ethics track" in result.text
    assert "law or social science" in result.text and "Day-to-day tasks" not in result.text
    assert_grounded(result)


def test_named_roles_compared_on_starting_pay_are_ranked_by_the_bottoms_of_their_ranges(reader, roles) -> None:
    result = answer(reader, roles, "order these by UK entry-level salary: ml engineer, data scientist, research scientist")

    assert not result.declined and "does not break pay down by seniority" in result.text
    ranked = [line for line in result.text.splitlines() if line[:2].rstrip(".").isdigit()]
    assert [line.split(":")[0] for line in ranked] == ["1. AI/ML Research Scientist", "2. Machine Learning Engineer",
                                                        "3. Data Scientist"]
    assert "quiz" not in result.text  # "research scientist" names a role, not a condition
    assert_grounded(result)



def test_a_requirement_the_guide_never_mentions_is_said_plainly_with_the_skills_it_lists(reader, roles) -> None:
    result = answer(reader, roles, "do you need an MBA to become an ai product manager?")

    assert result.declined and result.reason == "not_in_guide"
    assert "does not say anything about MBA" in result.text and "product management" in result.text
    assert_grounded(result)


@pytest.mark.parametrize("question", ["which ai job is most in demand right now according to the guide",
                                      "which role has the best growth outlook?"])
def test_a_section_only_some_profiles_have_is_quoted_from_those_profiles(reader, roles, question) -> None:
    result = answer(reader, roles, question)
    assert result.text.startswith("The guide gives a growth outlook only for the MLOps / AI Infrastructure Engineer")
    assert "shortage" in result.text and [s["section"] for s in result.sources] == \
        ["MLOps / AI Infrastructure Engineer / Growth outlook"]
    assert_grounded(result)
