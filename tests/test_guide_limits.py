"""Where the guide stops: pay at another time or in another city of one region, chores done on
the asker's own writing, the news, and a second sentence that only tells. Each is declined, or
said plainly to be missing, while the answerable question next to it is still answered."""

from __future__ import annotations

import pytest

from assistant import lexicon, phrasing
from assistant.multipart import questions_in


@pytest.mark.parametrize(("question", "gap"), [
    ("did mlops pay go up much over the last few years?", "past salaries"),
    ("what was a data scientist paid back in 2019", "past salaries"),
    ("have ai pm salaries risen since 2021?", "past salaries"),
    ("are prompt engineer salaries going to drop, do you think", "future salaries"),
    ("what will research scientists earn over the coming 10 years", "future salaries"),
])
def test_pay_at_another_time_than_the_guides_estimates_is_a_gap(reader, question, gap) -> None:
    assert reader.read(question).gap == gap


@pytest.mark.parametrize(("question", "gap"), [
    ("any tips to negotiate a better offer as an ai pm?", "salary negotiation"),
    ("do us mle offers come with a 401k match", "benefits and perks"),
    ("what would a data science internship pay in the uk", "pay by seniority"),
    ("good books for someone starting out in mlops?", "books and other learning resources"),
    ("is there a dress code for research scientists", "workplace culture"),
    ("where are the most prompt engineer jobs?", "job numbers"),
    ("how much time off do ai pms get a year", "benefits and perks"),
    ("how do ml engineers cope with impostor syndrome", "job satisfaction"),
    ("how does a data scientist get to principal level?", "career progression"),
    ("are there still mlops positions open in leeds?", "job numbers"),
    ("roughly how many research scientists are there in the us?", "job numbers"),
    ("any good book on becoming a prompt engineer?", "books and other learning resources"),
    ("is demand for data scientists dying off?", "hiring demand"),
    ("is the ai pm track a dead end these days", "hiring demand"),
    ("what does a graduate ai pm earn in the uk", "pay by seniority"),
    ("which startups in berlin are hiring ml engineers?", "employer names"),
    ("who's recruiting data scientists right now", "employer names"),
    ("what sort of firms hire data scientists?", "employer names"),
])
def test_what_the_guide_never_covers_about_a_role_is_a_gap(reader, question, gap) -> None:
    assert reader.read(question).gap == gap


@pytest.mark.parametrize("question", ["do most data scientist jobs want sql?",
                                      "how many skills are there for an mle?",
                                      "what sorts of ml jobs are available these days?",
                                      "which skills are in demand for an mle?",
                                      "i'm a graduate. what does a data scientist earn in the uk?",
                                      "what is hiring like for research scientists?"])
def test_jobs_asked_of_or_asked_which_are_no_job_count(reader, question) -> None:
    assert reader.read(question).gap is None


@pytest.mark.parametrize(("question", "foreign"), [
    ("draft me a short linkedin bio, i'm a data scientist", "bio"),
    ("summarise the batch norm in deep nets paper for me", "paper"),
    ("where and when is the cvpr conference this year?", "dates and venues of events"),
    ("what's mistral valued at these days?", "valued at"),
    ("is hugging face going public?", "going public"),
    ("i'm a data scientist in york, could you suggest a good plumber?", "plumber"),
    ("which town should i live in as an ml engineer?", "should i live"),
    ("what does the gdpr say about training on personal data?", "what laws say"),
    ("how would i say 'data scientist' in spanish for my cv?", "how would i say"),
])
def test_a_chore_or_other_subject_beside_career_words_is_out_of_scope(reader, question, foreign) -> None:
    reading = reader.read(question)

    assert reading.kind == "out_of_scope" and foreign in reading.foreign


def test_a_figure_said_again_in_another_currency_is_a_conversion(reader) -> None:
    turns = [{"role": "user", "content": "mle salary us"},
             {"role": "assistant", "content": "$120,000 – $250,000+"}]
    reading = reader.read("how much is that in euros?", turns)

    assert reading.kind == "out_of_scope" and reading.foreign == ("currency conversion",)


def test_an_employer_in_a_remark_beside_the_question_is_no_employers_pay(reader) -> None:
    assert reader.read("what do mles make in the us? real numbers, not the google ones").gap is None
    assert reader.read("how much does netflix pay data scientists?").gap == "pay at particular employers"


@pytest.mark.parametrize("typed", ["what does a data scientist earn in são paulo?",
                                   "what does a data scientist earn in sao paulo?"])
def test_a_place_is_found_with_or_without_its_accents(reader, typed) -> None:
    assert reader.read(typed).place == "São Paulo"


def test_becoming_another_job_is_no_path_in_ai_unless_ai_is_weighed_beside_it(reader) -> None:
    assert reader.read("i'm a barista, should i become a plumber?").kind == "out_of_scope"
    assert reader.read("i'm a barista, should i become a plumber or move into ai?").kind == "path_request"


def test_a_gap_word_in_what_the_asker_tells_does_not_block_their_path_request(reader) -> None:
    reading = reader.read("i'm a teacher, really into stats and spreadsheets, what should i do?")

    assert reading.kind == "path_request"


def test_which_employer_to_join_is_a_gap_not_a_path_request(reader) -> None:
    reading = reader.read("which ai startup should i join?")

    assert reading.gap == "employer names" and reading.kind != "path_request"


def test_a_roles_future_is_answered_by_its_own_note_on_it_where_it_has_one(reader) -> None:
    reading = reader.read("is prompt engineering a dead end these days?")

    assert reading.gap is None and reading.topic == "Note"


def test_a_job_told_with_where_the_asker_holds_it_is_their_background() -> None:
    assert phrasing.held_by_the_asker("nurse in leeds here – which ai path fits me?", "nurse")
    assert not phrasing.held_by_the_asker("what does a nurse in leeds earn here?", "nurse")


def test_making_the_most_sense_is_no_pay(reader) -> None:
    assert reader.read("which track makes most sense for a career changer like me?").topic != "salary"
    assert reader.read("who makes the most in the us?").topic == "salary"


def test_a_year_the_asker_tells_of_is_not_the_time_asked_about(reader) -> None:
    reading = reader.read("i finished my degree in 2020. what does an mlops engineer earn in the us?")

    assert reading.topic == "salary" and reading.gap is None


def test_two_cities_of_one_region_set_against_each_other_are_a_gap(reader) -> None:
    reading = reader.read("do data scientists in edinburgh earn less than in london?")

    assert reading.gap == lexicon.CITY_PAY and reading.roles == ("Data Scientist",)


@pytest.mark.parametrize("question", ["what does an mle earn in london?", "mle pay in berlin or toronto?"])
def test_a_city_of_a_region_asked_alone_or_as_either_is_the_regions_pay(reader, question) -> None:
    reading = reader.read(question)

    assert reading.topic == "salary" and reading.gap is None and reading.region is not None


@pytest.mark.parametrize("question", [
    "could you proofread my personal statement essay before i send it?",
    "please summarise the 'deep residual learning' paper for my reading group",
    "thanks! can you help me write my leaving email to my team",
    "can you fix this? ValueError: could not convert string to float in my pandas notebook",
])
def test_work_on_the_askers_own_writing_or_code_is_out_of_scope(reader, question) -> None:
    assert reader.read(question).kind == "out_of_scope"


@pytest.mark.parametrize("question", ["can you give me a summary of the data scientist role",
                                      "does a data scientist write reports?"])
def test_a_summary_or_writing_that_belongs_to_a_role_is_still_answered(reader, question) -> None:
    assert reader.read(question).kind == "role_fact"


def test_the_news_is_out_of_scope(reader) -> None:
    assert reader.read("any big ai headlines this week?").kind == "out_of_scope"


@pytest.mark.parametrize(("question", "foreign"), [
    ("convert 95k euros into sterling for me", "currency conversion"),
    ("how much is $180,000 in pounds", "currency conversion"),
    ("where and when is the iclr conference held next spring?", "dates and venues of events"),
    ("what timezone is toronto in? i have a recruiter call", "timezone"),
    ("give me some trivia about the first neural network", "trivia"),
])
def test_off_subjects_by_their_words_or_shape_are_out_of_scope(reader, question, foreign) -> None:
    reading = reader.read(question)

    assert reading.kind == "out_of_scope" and foreign in reading.foreign


def test_pay_asked_in_the_regions_own_currency_is_still_answered(reader) -> None:
    reading = reader.read("what does a data scientist earn in the us in dollars?")

    assert reading.kind == "role_fact" and reading.topic == "salary"


@pytest.mark.parametrize("question", ["is azure ml cheaper than sagemaker for a hobby project?",
                                      "perplexity or gemini for summarising papers?"])
def test_products_priced_or_chosen_between_are_out_of_scope(reader, question) -> None:
    reading = reader.read(question)

    assert reading.kind == "out_of_scope" and reading.foreign


def test_two_places_chosen_between_are_no_products(reader) -> None:
    assert not reader.read("leeds or bristol for a data scientist?").foreign


def test_facts_about_a_company_rather_than_its_jobs_are_out_of_scope(reader) -> None:
    assert reader.read("where is deepmind headquartered?").kind == "out_of_scope"


def test_what_a_role_makes_over_here_asks_its_pay(reader) -> None:
    assert reader.read("what do mlops engineers make over here").topic == "salary"


def test_a_tool_priced_while_the_asker_tells_of_a_role_is_a_product(reader) -> None:
    reading = reader.read("what does a power bi pro seat cost? our data science team wants a few")

    assert reading.kind == "out_of_scope" and reading.foreign


@pytest.mark.parametrize("message", [
    "what does a quant make at a hedge fund? thinking that might beat ai research",
    "can you draft a polite email asking for a raise? i'm an ml engineer and underpaid",
    "which gpu is best for a home lab? need to learn some deep learning skills first",
    "what's a good laptop for ml? doing a masters in data science next year",
])
def test_a_sentence_that_only_tells_or_remarks_is_no_second_question(reader, message) -> None:
    assert questions_in(message, [], reader.read) == [message]


def test_a_piece_that_tells_then_asks_is_still_a_question(reader) -> None:
    message = "i've run a help desk for 4 yrs. how do i get into mlops, do i need a masters first?"

    assert questions_in(message, [], reader.read) == [
        "i've run a help desk for 4 yrs. how do i get into mlops", "do i need a masters first?"]


def test_a_second_question_put_short_is_still_a_second_question(reader) -> None:
    message = "what does an ai pm do? salary in the us"

    assert questions_in(message, [], reader.read) == ["what does an ai pm do?", "salary in the us"]
