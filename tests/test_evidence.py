"""The deciding passages of a yes/no question: ranked by meaning, quoted whole when short."""

from __future__ import annotations

import math

from assistant.evidence import EvidencePicker, units


class AxisEmbeddings:
    """Each text is a unit vector on the axis of the first listed word it contains."""

    def __init__(self, axes: list[str]) -> None:
        self.axes = axes
        self.embedded: list[str] = []

    def _vector(self, text: str) -> list[float]:
        low = text.lower()
        v = [1.0 if w in low else 0.0 for w in self.axes] + [0.1]
        norm = math.sqrt(sum(x * x for x in v))
        return [x / norm for x in v]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += texts
        return [self._vector(t) for t in texts]


class BrokenEmbeddings:
    def embed_query(self, text: str) -> list[float]:
        raise RuntimeError("model file missing")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise RuntimeError("model file missing")


PASSAGES = [
    "## Skills\n\nThe skills it needs:\n\n- Strong Python for research code\n- A deep grasp of theory",
    "## Honest note\n\nThe labs get thousands of applications. Getting in without a doctorate is possible "
    "but hard.",
]


def test_a_short_paragraph_is_quoted_whole_when_one_sentence_decides() -> None:
    picks = EvidencePicker(AxisEmbeddings(["doctorate"])).pick("Do I need a doctorate?", PASSAGES, limit=1)

    assert picks == [(2, "The labs get thousands of applications. Getting in without a doctorate is possible "
                         "but hard.")]


def test_headings_and_lead_in_lines_are_never_quoted() -> None:
    pieces = [piece for piece, _ in units(PASSAGES[0])]

    assert pieces == ["Strong Python for research code", "A deep grasp of theory"]


def test_shared_words_break_what_meaning_leaves_even() -> None:
    # The embedder sees nothing in either bullet; the question's word "theory" decides.
    picks = EvidencePicker(AxisEmbeddings(["unrelated"])).pick("Is theory needed?", PASSAGES[:1], limit=1)

    assert picks == [(1, "A deep grasp of theory")]


def test_the_role_asked_about_does_not_count_as_a_shared_word() -> None:
    passages = ["- Python research code, every day\n- Theory matters more than code here"]
    picker = EvidencePicker(AxisEmbeddings(["unrelated"]))

    assert picker.pick("Does research need theory?", passages, limit=1)[0][1].startswith("Python research")
    assert picker.pick("Does research need theory?", passages, limit=1, ignore=["research"])[0][1].startswith(
        "Theory")


def test_sentences_are_embedded_once_per_process() -> None:
    embeddings = AxisEmbeddings(["doctorate"])
    picker = EvidencePicker(embeddings)

    assert picker.prime(PASSAGES) == 4
    picker.pick("Do I need a doctorate?", PASSAGES)
    assert len(embeddings.embedded) == 4


def test_a_failing_embedder_gives_no_picks_instead_of_an_error() -> None:
    assert EvidencePicker(BrokenEmbeddings()).pick("Do I need a doctorate?", PASSAGES) == []


def test_a_short_bullet_naming_the_one_rare_word_asked_about_is_picked() -> None:
    passages = ["## Skills\n\n- Cloud ML platforms: GCP, AWS and Azure\n- MLOps tools: Airflow and MLflow\n"
                "- Docker and Kubernetes\n- Tools for observability and monitoring",
                "## Outlook\n\nDemand for MLOps tools and skills is very high, and there is a shortage of people."]
    picker = EvidencePicker(AxisEmbeddings(["cloud"]))  # meaning ties: the question's words decide

    picks = picker.pick("which tools should I know? is kubernetes a must?", passages, limit=1)

    assert picks == [(1, "Docker and Kubernetes")]  # "kubernetes" is in one piece, "tools" in three


def test_a_question_naming_no_role_quotes_the_guides_line_for_every_path_first() -> None:
    from assistant.extractive import extractive_answer
    from assistant.retrieval import Hit

    def hit(n: int, role: str, citation: str, body: str) -> Hit:
        return Hit(f"c{n}", body, {"role": role, "citation": citation}, 0.5, 0.0, 0.0)

    context = [hit(1, "Machine Learning Engineer", "Machine Learning Engineer / Skills", "- Strong programming in Python"),
               hit(2, "Data Scientist", "Data Scientist / Skills", "- Python and R"),
               hit(3, "", "Skills that matter on every path / The six", "1. Python: the common language of AI work")]
    answer = extractive_answer("why does everyone say learn python first?", context, max_lines=1)
    assert "the common language of AI work [3]" in answer and "Strong programming" not in answer
    # Asked about a role, its own line is quoted.
    answer = extractive_answer("why python for an ml engineer?", context, max_lines=1,
                               roles=("Machine Learning Engineer",))
    assert "Strong programming in Python [1]" in answer


def test_a_line_two_passages_share_is_quoted_once() -> None:
    from assistant.extractive import extractive_answer
    from assistant.retrieval import Hit

    summary = "Machine Learning Engineers build the systems that take machine learning into production."
    meta = {"role": "Machine Learning Engineer", "citation": "MLE / Summary"}
    context = [Hit("c1", summary, meta, 0.5, 0.0, 0.0), Hit("c2", summary, meta, 0.4, 0.0, 0.0)]

    answer = extractive_answer("what do machine learning engineers build?", context)

    assert answer.count("take machine learning into production") == 1 and "[2]" not in answer
