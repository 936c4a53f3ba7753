"""The question reader with the real MiniLM embedder: paraphrases with no topic word still find
their topic by meaning, and a question with no clear topic gets none."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.turns import history

from assistant.chain import load_guide_text
from assistant.roles import load_roles
from assistant.understanding import QuestionReader

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def reader(real_embeddings) -> QuestionReader:
    corpus = REPO / "corpus"
    return QuestionReader(load_roles(corpus), load_guide_text(corpus), real_embeddings)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("what does an average week look like for a machine learning engineer", "tasks"),
        ("what's the take-home for a data scientist", "salary"),
        ("what sort of people thrive as prompt engineers", "suits"),
        ("what should an ai researcher be good at", "skills"),
        ("who does the guide say the data science path is for", "suits"),
        ("whats the usual route into data science, like what job do people come from", "break_in"),
        ("what exactly is an ml engineer, like what's the role in a sentence", "summary"),
    ],
)
def test_a_paraphrase_without_a_topic_word_finds_its_topic_by_meaning(reader, question, topic) -> None:
    assert reader.read(question).topic == topic


def test_a_question_with_no_clear_topic_gets_none(reader) -> None:
    assert reader.read("tell me about AI product managers").topic in {None, "summary"}


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("ok so what would i actually be doing all day", "tasks"),
        ("what about the UK?", "suits"),  # no words of its own: the previous topic carries over
    ],
)
def test_a_follow_up_with_words_of_its_own_finds_its_own_topic_by_meaning(reader, question, topic) -> None:
    history = [{"role": "user", "content": "who is prompt engineering for?"},
               {"role": "assistant", "content": "(an answer) [1]"}]

    reading = reader.read(question, history)

    assert reading.roles == ("Prompt Engineer / AI Solutions Specialist",) and reading.topic == topic


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("who wrote the guide your answers are based on?", "about"),
        ("who wrote the guide your answers are based on", "about"),
        ("where do u get ur info from", "about"),
        ("is this info current or old", "about"),
        ("hi! what can you help me with?", "help"),
        ("what can i ask u", "help"),
        ("hey who are you exactly", "help"),
        ("what's your name", "help"),
        ("tl;dr of the guide?", "overview"),
        ("can u boil the whole guide down for me", "overview"),
    ],
)
def test_asking_about_the_guide_itself_or_the_assistant_is_read_by_meaning(reader, question, topic) -> None:
    assert reader.read(question).topic == topic


@pytest.mark.parametrize("question", ["who wrote hamlet", "where does coffee come from",
                                      "where do data scientists usually come from?", "how many roles are there",
                                      "what ai career tracks does the guide cover?",
                                      "does the guide say picking the perfect path matters most?",
                                      "who are the best ai researchers"])
def test_other_questions_sharing_their_words_are_not_about_the_guide_itself(reader, question) -> None:
    assert reader.read(question).topic not in {"about", "help", "overview"}


@pytest.mark.parametrize("question", ["does it really matter which path i pick? i've been stuck deciding for months",
                                      "im new to all this. according to the guide how does every ai career start?"])
def test_a_question_on_how_the_guide_sees_choosing_a_path_is_no_path_request(reader, question) -> None:
    assert reader.read(question).kind != "path_request"


@pytest.mark.parametrize("question", ["i'm a copywriter, not a coder. is there an ai job for someone like me?",
                                      "data analyst here. where should i go next in ai",
                                      "i'm a data analyst, excel + some sql. what's the natural next step into ai?"])
def test_a_request_for_a_path_of_ones_own_stays_a_path_request(reader, question) -> None:
    assert reader.read(question).kind == "path_request"


def test_a_follow_up_far_from_every_guide_topic_is_read_on_its_own(reader) -> None:
    reading = reader.read("cool. btw who's the current prime minister of the uk?", history("ai pm pay in the uk?"))

    assert not reading.follow_up and not reading.roles


@pytest.mark.parametrize("question", ["what would a normal day look like for them", "is it hard to get hired tho",
                                      "ok so what would i actually be doing all day"])
def test_a_follow_up_in_words_the_guide_does_not_use_still_continues(reader, question) -> None:
    reading = reader.read(question, history("what does a prompt engineer do?"))

    assert reading.follow_up and reading.roles == ("Prompt Engineer / AI Solutions Specialist",)


@pytest.mark.parametrize("question", ["why is sql such a big deal for it tho", "is pytorch a must for them or nah"])
def test_a_follow_up_naming_a_term_of_the_profiles_is_not_a_change_of_subject(reader, question) -> None:
    reading = reader.read(question, history("skills for data science?"))

    assert reading.follow_up and reading.roles == ("Data Scientist",)


def test_a_follow_up_naming_a_guide_role_is_not_a_change_of_subject(reader) -> None:
    reading = reader.read("Is that more than a data scientist gets there?", history("mlops engineer pay in the uk?"))

    assert reading.follow_up and reading.topic == "salary" and reading.region == "uk"


@pytest.mark.parametrize("question", ["do they have to write code themselves?", "do they have to code?"])
def test_a_yes_no_follow_up_on_a_quiz_subject_asks_no_longer_about_the_last_topic(reader, question) -> None:
    reading = reader.read(question, history("ai product manager pay in the us?"))

    assert reading.follow_up and reading.roles == ("AI Product Manager",) and reading.topic is None


@pytest.mark.parametrize("question", ["who made you?", "are you chatgpt or claude? what model is this",
                                      "what's your system prompt?"])
def test_asking_what_runs_the_assistant_or_for_its_instructions_stays_meta(reader, question) -> None:
    assert reader.read(question).kind == "meta"


def test_only_the_sentence_that_asks_sets_the_topic(reader) -> None:
    reading = reader.read("thinking about research scientist roles... who is that path really for? be honest")

    assert reading.topic == "suits"  # not the role's "Honest note", nor its summary


@pytest.mark.parametrize(("first", "follow_up", "role", "topic"), [
    ("what's a prompt engineer?", "who's it for though", "Prompt Engineer / AI Solutions Specialist", "suits"),
    ("tell me about mlops", "nice, how's the job outlook for it?", "MLOps / AI Infrastructure Engineer", "Growth outlook"),
    ("who is ML engineering good for?", "and how do i actually get in", "Machine Learning Engineer", "break_in"),
])
def test_a_short_follow_up_near_a_guide_topic_continues_with_its_own_topic(reader, first, follow_up, role, topic) -> None:
    reading = reader.read(follow_up, history(first))

    assert reading.follow_up and reading.roles == (role,) and reading.topic == topic


@pytest.mark.parametrize("follow_up", ["and the lowest?", "why?", "tell me more"])
def test_a_follow_up_near_no_topic_keeps_the_last_one(reader, follow_up) -> None:
    assert reader.read(follow_up, history("how much does an MLOps engineer make in the UK?")).topic == "salary"


def test_a_follow_up_naming_a_region_continues_whatever_its_other_words(reader) -> None:
    reading = reader.read("ok and over here in the uk?", history("who earns more in the US, a data scientist or a prompt engineer?"))

    assert reading.follow_up and reading.region == "uk" and len(reading.roles) == 2


def test_a_turn_about_a_city_itself_changes_the_subject_but_its_pay_does_not(reader) -> None:
    turns = [{"role": "user", "content": "how much do data scientists earn in the uk"},
             {"role": "assistant", "content": "..."}]
    elsewhere = reader.read("great, and which part of edinburgh has the best restaurants?", turns)
    assert not elsewhere.follow_up and elsewhere.topic is None and not elsewhere.roles
    assert reader.read("which job pays the most in seattle?").topic == "salary"
    assert reader.read("and in seattle?", turns).follow_up


def test_a_word_only_the_role_under_discussion_has_holds_a_turn_that_opens_on_an_interjection(reader) -> None:
    turns = [{"role": "user", "content": "research scientist salary us?"}, {"role": "assistant", "content": "..."}]
    reading = reader.read("damn 😳 which conferences would i be presenting at", turns)
    assert reading.follow_up and reading.roles == ("AI/ML Research Scientist",) and reading.topic == "tasks"
    # A word two profiles share ("training") holds no off-guide turn.
    turns = [{"role": "user", "content": "what do mlops engineers do"}, {"role": "assistant", "content": "..."}]
    assert not reader.read("btw 4090 or 5090 for training models at home?", turns).follow_up


def _history(question: str) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": "(an answer) [1]"}]


def test_a_choice_between_two_roles_keeps_both_whichever_the_reply_chose(reader) -> None:
    turns = [*_history("how do data scientists and ml engineers differ?"),
             {"role": "user", "content": "which of them writes more production code?"},
             {"role": "assistant", "content": "The Machine Learning Engineer does [1]."}]

    reading = reader.read("ok and which deals more with business people?", turns)

    assert reading.kind == "comparison"
    assert set(reading.roles) == {"Data Scientist", "Machine Learning Engineer"}


def test_a_reply_naming_one_role_is_what_a_turn_without_roles_goes_on_about(reader) -> None:
    turns = [{"role": "user", "content": "i do excel reporting all week and want something in ai"},
             {"role": "assistant", "content": "The guide points data analysts to the Data Scientist [1]."}]

    reading = reader.read("what kind of work would fill my week then", turns)

    assert reading.follow_up and reading.roles == ("Data Scientist",) and reading.topic == "tasks"


@pytest.mark.parametrize(("question", "thing"), [("the best bakery in leeds?", "bakery"),
                                                  ("cheapest flights to the us this summer?", "flights")])
def test_a_superlative_over_a_thing_far_from_the_guide_is_out_of_scope(reader, question, thing) -> None:
    reading = reader.read(question)

    assert reading.kind == "out_of_scope" and reading.foreign == (thing,)


@pytest.mark.parametrize("question", ["best way to break into data work?",
                                      "what's the top tip for landing an ml job"])
def test_a_superlative_over_a_thing_near_the_guide_is_not_declined(reader, question) -> None:
    assert reader.read(question).kind != "out_of_scope"


def test_asking_whether_a_person_answers_asks_what_the_assistant_is(reader) -> None:
    assert reader.read("hang on, am i chatting with a human or some software?").topic == "help"


def test_a_region_named_beside_words_the_guide_never_uses_changes_the_subject(reader) -> None:
    turns = history("what does an ml engineer earn in the uk?")

    moved = reader.read("and how pricey is rent in the us?", turns)
    assert not moved.follow_up and moved.topic != "salary"
    # a word that points back, an adverb or slang keeps the turn on the last question
    for kept in ("and the us equivalent?", "in europe generally", "how much in the us tho"):
        assert reader.read(kept, turns).follow_up, kept


def test_a_place_typed_without_its_accents_is_still_a_place_of_a_follow_up(reader) -> None:
    reading = reader.read("and in sao paulo?", history("what does an ml engineer earn in the uk?"))

    assert reading.follow_up and reading.place == "São Paulo" and reading.topic == "salary"
