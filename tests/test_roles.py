"""Role facts parsed from the published guide (.mdx) and from this project's corpus/."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.regions import normalize_region, region_in_text
from assistant.roles import (
    ROLE_ORDER,
    RoleFacts,
    canonical_title,
    find_roles,
    known_roles,
    load_published_guide,
    load_roles,
)
from assistant.salaries import SalaryRange
from core.errors import BadInput

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
SHARED = Path(os.environ.get("CAREER_SHARED_CORPUS") or REPO.parent / "shared" / "corpus" / "ai-educademy")
GUIDE = SHARED / "blog" / "en" / "ai-career-paths.mdx"

DETAILED = ROLE_ORDER[:7]
LISTED_ONLY = ("Data Engineer", "Computer Vision Engineer", "NLP / LLM Engineer")

# Every salary figure of the published guide, written out by hand from the article.
PUBLISHED_SALARIES: dict[str, list[tuple[str, str, int, int, bool, str]]] = {
    "Machine Learning Engineer": [
        ("UK", "GBP", 60_000, 130_000, False, ""),
        ("US", "USD", 120_000, 250_000, True, ""),
        ("Global tech hubs (Berlin, Toronto, Singapore)", "EUR", 70_000, 160_000, False, ""),
    ],
    "Data Scientist": [
        ("UK", "GBP", 50_000, 100_000, False, ""),
        ("US", "USD", 100_000, 200_000, False, ""),
    ],
    "AI/ML Research Scientist": [
        ("UK", "GBP", 80_000, 200_000, True, "at frontier AI labs"),
        ("US", "USD", 150_000, 500_000, True, "at OpenAI, DeepMind, Anthropic, Meta AI"),
    ],
    "MLOps / AI Infrastructure Engineer": [
        ("UK", "GBP", 70_000, 140_000, False, ""),
        ("US", "USD", 130_000, 250_000, False, ""),
    ],
    "AI Product Manager": [
        ("UK", "GBP", 70_000, 150_000, False, ""),
        ("US", "USD", 140_000, 280_000, False, ""),
    ],
    "Prompt Engineer / AI Solutions Specialist": [
        ("UK", "GBP", 50_000, 100_000, False, ""),
        ("US", "USD", 90_000, 180_000, False, ""),
    ],
    "AI Safety & Ethics Researcher": [
        ("Technical AI safety at labs", "USD", 150_000, 400_000, True, ""),
        ("Policy/ethics roles", "GBP", 40_000, 100_000, False, ""),
    ],
}

FIXTURE_ROLE = """---
title: Data Scientist
role: Data Scientist
aliases: [data science, DS]
---

# Data Scientist

## Summary

A Data Scientist turns data into decisions.

## Day-to-day tasks

A Data Scientist's usual work includes:

- Cleaning data
- Running A/B tests

## Skills

### Technical track

- SQL

### Policy and ethics track

- Storytelling

## Salary range

The guide's 2026 estimates for Data Scientist pay:

- UK: £50,000 – £100,000
- US: $100,000 – $200,000+ (at big tech)

## Who it suits

The Data Scientist role suits curious people.

## How to break in

To become a Data Scientist, the guide advises:

- Learn SQL.

## Honest note

A Data Scientist note.
"""
FIXTURE_OVERVIEW = """---
title: The AI career landscape
---

# The AI career landscape

## About this guide

Mentions MLOps in passing.

## Tracks without a detailed profile

Data Engineer and Computer Vision Engineer get no profile.
"""


@pytest.fixture(scope="module")
def guide() -> dict[str, RoleFacts]:
    if not GUIDE.is_file():
        pytest.skip(f"published guide not found at {GUIDE} (set CAREER_SHARED_CORPUS)")
    return load_published_guide(GUIDE)


@pytest.fixture(scope="module")
def corpus() -> dict[str, RoleFacts]:
    if not CORPUS.is_dir() or not any(CORPUS.glob("*.md")):
        pytest.skip("corpus/ has no markdown yet")
    roles = load_roles(CORPUS)
    if not all(t in roles for t in DETAILED):
        pytest.skip("corpus/ does not have all seven role files yet")
    return roles


# --------------------------------------------------------------------------- published guide


def test_published_guide_has_seven_detailed_roles_and_three_listed_ones(guide):
    assert list(guide) == list(ROLE_ORDER)
    assert [t for t, r in guide.items() if r.detailed] == list(DETAILED)
    assert all(str(guide[t].source) == str(GUIDE) for t in guide)


@pytest.mark.parametrize("title", DETAILED)
def test_published_guide_salaries_match_every_figure(guide, title):
    got = [(s.region, s.currency, s.low, s.high, s.open_ended, s.qualifier) for s in guide[title].salaries]
    assert got == PUBLISHED_SALARIES[title]


def test_published_guide_sections_are_parsed_into_fields(guide):
    mle = guide["Machine Learning Engineer"]
    assert mle.summary.startswith("ML Engineers build the systems")
    assert len(mle.tasks) == 6 and mle.tasks[0] == "Writing production ML code in Python"
    assert mle.skills[-1] == "Basic knowledge of MLOps tools (MLflow, Weights & Biases)"
    assert mle.suits.startswith("People who enjoy both coding and problem-solving")
    assert mle.break_in.startswith("Build and deploy ML projects.")
    assert mle.citation("Salary range") == "Machine Learning Engineer / Salary range"

    ds = guide["Data Scientist"]
    assert ds.break_in == ""  # the guide gives none: nothing is made up
    assert "How it differs from ML Engineer" in ds.sections
    assert any("overlap significantly" in n for n in ds.notes)
    assert ds.skills[1] == "SQL — absolutely essential"

    rs = guide["AI/ML Research Scientist"]
    assert "Honest note" in rs.sections and "most competitive track" in rs.notes[0]
    assert rs.tasks[4] == "Presenting at conferences (NeurIPS, ICML, ICLR)"

    assert "Growth outlook" in guide["MLOps / AI Infrastructure Engineer"].sections
    assert "still evolving" in guide["Prompt Engineer / AI Solutions Specialist"].sections["Note"]


def test_published_guide_keeps_both_ai_safety_tracks(guide):
    safety = guide["AI Safety & Ethics Researcher"]
    assert len(safety.tasks) == 8
    assert safety.tasks[0].startswith("Researching model interpretability")
    assert "*" not in safety.tasks[0]
    assert safety.skill_tracks["technical"] == ("Strong ML background", "philosophical grounding")
    assert safety.skill_tracks["policy"][:3] == ("Research skills", "policy analysis", "communication")
    assert set(safety.skills) == set(safety.skill_tracks["technical"] + safety.skill_tracks["policy"])


@pytest.mark.parametrize("title", LISTED_ONLY)
def test_listed_only_roles_have_no_invented_facts(guide, title):
    role = guide[title]
    assert not role.detailed
    assert (role.summary, role.tasks, role.skills, role.salaries, role.suits, role.break_in, role.notes) == (
        "",
        (),
        (),
        (),
        "",
        "",
        (),
    )
    assert role.salary_for("uk") == [] and role.salary_for(None) == []


# --------------------------------------------------------------------------- corpus


@pytest.mark.parametrize("title", DETAILED)
def test_corpus_roles_carry_the_published_figures(corpus, title):
    got = [(s.region, s.currency, s.low, s.high, s.open_ended, s.qualifier) for s in corpus[title].salaries]
    assert got == PUBLISHED_SALARIES[title]


@pytest.mark.parametrize("title", DETAILED)
def test_corpus_roles_have_every_field(corpus, title, guide):
    role = corpus[title]
    assert role.detailed and role.source.endswith(".md")
    assert role.summary and role.suits and role.break_in
    assert len(role.tasks) == len(guide[title].tasks)
    assert len(role.skills) == len(guide[title].skills)
    for section in (
        "Summary",
        "Day-to-day tasks",
        "Skills",
        "Salary range",
        "Who it suits",
        "How to break in",
    ):
        assert role.sections.get(section), section


def test_corpus_lists_the_three_tracks_without_profile(corpus):
    for title in LISTED_ONLY:
        role = corpus[title]
        assert not role.detailed and not role.salaries and not role.skills and not role.tasks
        assert role.document == "The AI career landscape"
        section = next(iter(role.sections))
        assert role.citation(section) == f"The AI career landscape / {section}"


def test_corpus_front_matter_aliases_are_used(corpus):
    assert "data scientists" in {a.lower() for a in corpus["Data Scientist"].aliases}


def test_load_roles_reads_a_tiny_corpus(tmp_path):
    (tmp_path / "data-scientist.md").write_text(FIXTURE_ROLE, encoding="utf-8")
    (tmp_path / "overview.md").write_text(FIXTURE_OVERVIEW, encoding="utf-8")
    roles = load_roles(tmp_path)
    assert list(roles) == ["Data Scientist", "Data Engineer", "Computer Vision Engineer"]
    ds = roles["Data Scientist"]
    assert ds.tasks == ("Cleaning data", "Running A/B tests")
    assert ds.skills == ("SQL", "Storytelling")
    assert ds.skill_tracks == {"technical": ("SQL",), "policy": ("Storytelling",)}
    assert ds.salaries == (
        SalaryRange("UK", "GBP", 50_000, 100_000, False),
        SalaryRange("US", "USD", 100_000, 200_000, True, "at big tech"),
    )
    assert ds.summary == "A Data Scientist turns data into decisions."
    assert ds.break_in == "To become a Data Scientist, the guide advises: Learn SQL."
    assert ds.notes == ("A Data Scientist note.",)
    assert ds.source == str(tmp_path / "data-scientist.md")
    # The "About" paragraph's passing mention of MLOps creates no record.
    assert "MLOps / AI Infrastructure Engineer" not in roles
    assert roles["Data Engineer"].sections == {
        "Tracks without a detailed profile": "Data Engineer and Computer Vision Engineer get no profile."
    }


def test_load_roles_rejects_a_missing_or_empty_folder(tmp_path):
    with pytest.raises(BadInput):
        load_roles(tmp_path / "nope")
    with pytest.raises(BadInput):
        load_roles(tmp_path)


# --------------------------------------------------------------------------- salaries


def test_salary_display_uses_the_guide_notation():
    assert SalaryRange("UK", "GBP", 60_000, 130_000, False).display() == "£60,000 – £130,000"
    assert SalaryRange("US", "USD", 120_000, 250_000, True).display() == "$120,000 – $250,000+"
    eur = SalaryRange("Global tech hubs (Berlin, Toronto, Singapore)", "EUR", 70_000, 160_000, False)
    assert eur.display() == "€70,000 – €160,000"
    lab = SalaryRange("UK", "GBP", 80_000, 200_000, True, "at frontier AI labs")
    assert lab.display(with_qualifier=True) == "£80,000 – £200,000+ (at frontier AI labs)"


def test_salary_for_picks_the_region(guide):
    mle = guide["Machine Learning Engineer"]
    assert [s.region for s in mle.salary_for("uk")] == ["UK"]
    assert [s.currency for s in mle.salary_for("US")] == ["USD"]
    assert [s.currency for s in mle.salary_for("global")] == ["EUR"]
    assert [s.currency for s in mle.salary_for("eu")] == ["EUR"]
    assert len(mle.salary_for(None)) == 3
    assert guide["Data Scientist"].salary_for("global") == []  # the guide has no figure
    # AI Safety's ranges are by track, not region: all of them, labelled.
    assert len(guide["AI Safety & Ethics Researcher"].salary_for("uk")) == 2
    with pytest.raises(BadInput):
        mle.salary_for("mars")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("UK", "uk"),
        ("London", "uk"),
        ("united kingdom", "uk"),
        ("USA", "us"),
        ("US", "us"),
        ("Global tech hubs (Berlin, Toronto, Singapore)", "global"),
        ("EU", "global"),
        ("Berlin", "global"),
        ("Technical AI safety at labs", None),
        ("", None),
    ],
)
def test_normalize_region(text, key):
    assert normalize_region(text) == key


def test_region_in_text_ignores_the_pronoun_us():
    assert region_in_text("Tell us what I could earn; I live in London") == "uk"
    assert region_in_text("I'm based in the US") == "us"
    assert region_in_text("Let us talk about AI jobs") is None


@pytest.mark.parametrize(("text", "region"), [
    ("I'm in London, what would I earn if I moved to the States?", "us"),
    ("im based in the us but thinking about england", "uk"),
    ("I live in Manchester. What does a data scientist make?", "uk"),
    ("im in london atm, what would i earn if i moved across the pond?", "us"),
    ("I'm in New York; what about across the pond?", "uk"),
    ("I'm based in NYC but thinking of moving across the pond to London. What would I get paid?", "uk"),
])
def test_the_region_asked_about_is_not_where_the_asker_is_when_they_name_another(text, region):
    assert region_in_text(text) == region


def test_across_the_pond_from_nowhere_named_is_no_region():
    assert region_in_text("what do ml engineers earn across the pond?") is None


# --------------------------------------------------------------------------- finding roles


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("What does an ML engineer earn?", ["Machine Learning Engineer"]),
        ("ML-engineers and machine learning engineering", ["Machine Learning Engineer"]),
        ("Is MLOps for me?", ["MLOps / AI Infrastructure Engineer"]),
        ("I'd like to be an AI infrastructure engineer", ["MLOps / AI Infrastructure Engineer"]),
        ("I studied data science", ["Data Scientist"]),
        ("How do I become an AI PM?", ["AI Product Manager"]),
        ("AI product manager salary", ["AI Product Manager"]),
        ("I'm a product manager", []),
        ("Is prompt engineering a real job?", ["Prompt Engineer / AI Solutions Specialist"]),
        ("Tell me about AI safety", ["AI Safety & Ethics Researcher"]),
        ("research scientist or AI researcher?", ["AI/ML Research Scientist"]),
        (
            "AI Safety Researcher vs AI researcher",
            ["AI Safety & Ethics Researcher", "AI/ML Research Scientist"],
        ),
        (
            "MLOps, then data science, then ML engineer",
            ["MLOps / AI Infrastructure Engineer", "Data Scientist", "Machine Learning Engineer"],
        ),
        (
            "NLP/LLM Engineer, Core ML Engineering, Ethics/Safety (policy track)",
            ["NLP / LLM Engineer", "Machine Learning Engineer", "AI Safety & Ethics Researcher"],
        ),
        ("I'm a researcher and a software engineer", []),
        ("the ds in my hands", []),
        ("pay of a non-AI product manager vs a non AI PM", []),
    ],
)
def test_find_roles(text, titles, guide):
    assert [r.title for r in find_roles(text, guide)] == titles


def test_canonical_title_maps_the_guides_short_names():
    assert canonical_title("MLOps") == "MLOps / AI Infrastructure Engineer"
    assert canonical_title("AI Solutions Specialist") == "Prompt Engineer / AI Solutions Specialist"
    assert canonical_title("a bread recipe") is None
    assert list(known_roles()) == list(ROLE_ORDER)


def test_the_corpus_is_parsed_once_until_a_file_changes(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    first, again = load_roles(corpus), load_roles(corpus)
    assert first["Data Scientist"] is again["Data Scientist"]  # the same parse, not a new one

    role_file = corpus / "data-scientist.md"
    role_file.write_text(role_file.read_text(encoding="utf-8").replace("£50,000", "£51,000"), encoding="utf-8")

    edited = load_roles(corpus)["Data Scientist"]
    assert edited is not first["Data Scientist"] and edited.salaries[0].low == 51_000


@pytest.mark.parametrize(("text", "role"), [("how much maths do u need for ai research?", "AI/ML Research Scientist"),
                                           ("is ML research a good path", "AI/ML Research Scientist"),
                                           ("what does ai safety research involve", "AI Safety & Ethics Researcher")])
def test_each_roles_field_names_it(text, role) -> None:
    roles = load_roles(REPO / "corpus")

    assert [r.title for r in find_roles(text, roles)] == [role]
