"""The answer chain: resolve follow-ups, retrieve, gate, prompt, stream, check grounding."""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant import grounding, passages, phrasing, prompts
from assistant.answers import AnswerResult, StreamEvent, source_dict
from assistant.computed import compute
from assistant.declines import decline_text
from assistant.evidence import EvidencePicker
from assistant.extractive import extractive_answer, with_evidence
from assistant.injection import OVERRIDE, leaks_prompt, strip_overrides
from assistant.multipart import joined, questions_in
from assistant.retrieval import Hit, HybridSearch
from assistant.roles import RoleFacts, find_roles
from assistant.understanding import META_REQUEST, QuestionReader, Reading
from core.errors import BackendUnavailable, BadInput
from core.settings import Settings

logger = logging.getLogger(__name__)

# Deciding sentences quoted for a yes/no question. On the 60 yes/no questions of gold and
# dev..dev7, the deciding lines were among the best 3 for 56 and the best 4 for 58.
QUOTED = 4
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class _Turn:
    """One question on its way through the passages path: what later steps need to know."""

    question: str
    reading: Reading
    started: float
    retrieved: list[str] = field(default_factory=list)
    context: list[Hit] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    shown: str = ""            # text the user has seen so far
    ttft: float | None = None
    leaked: bool = False       # the stream stopped at a run of the system prompt


class Assistant:
    """Answers questions from the guide. Build it with `build_assistant(settings)`."""

    def __init__(self, settings: Settings, search: HybridSearch, chat_model: BaseChatModel,
                 roles: Mapping[str, RoleFacts], guide_text: str, model_name: str = "",
                 library: Any = None) -> None:
        self.settings = settings
        self.library = library  # assistant.plan.Library: the indexed course library, if any
        self.search = search
        self.chat_model = chat_model
        self.roles = roles
        self.guide_text = guide_text
        self.model_name = model_name or type(chat_model).__name__
        self.context_by_need = True  # False: the best passages within the token budget (for comparisons)
        self.reader = QuestionReader(roles, guide_text, getattr(search, "embeddings", None),
                                     headings=getattr(search, "citations", None))
        self.evidence = EvidencePicker(getattr(search, "embeddings", None))

    # ------------------------------------------------------------------ public

    def warm_up(self) -> None:
        """Load what the first question would otherwise wait for: the embedding model, BM25, and
        the vectors of the guide's sentences (for quoting the deciding ones)."""
        from ingest.chunking import chunk_body

        self.search.search("warm up", k=1)
        chunks = self.search.chunks() if hasattr(self.search, "chunks") else []
        primed = self.evidence.prime([chunk_body(Document(page_content=text, metadata=meta))
                                      for meta, text in chunks])
        logger.info("warm-up: %d guide sentences embedded for quoting", primed)

    def answer(self, question: str, history: list[dict] | None = None) -> AnswerResult:
        result = None
        for event in self.stream(question, history):
            result = event.result or result
        assert result is not None
        return result

    def stream(self, question: str, history: list[dict] | None = None) -> Iterator[StreamEvent]:
        """The answer as events: text as soon as it is ready (a decline or computed answer at
        once, the model's words as they pass the checks), then one event with the result."""
        shown = False
        for event in self._steps(question, history):
            if event.result is not None and not shown and event.result.answer:
                yield StreamEvent(token=event.result.answer)  # an answer with no streamed text
            shown = shown or bool(event.token)
            yield event

    def _steps(self, question: str, history: list[dict] | None) -> Iterator[StreamEvent]:
        """Route a question: declines and computed answers at once, path requests to the cards,
        lesson requests to the plan, the rest to the guide's passages."""
        started = time.perf_counter()
        question = phrasing.without_answer_form(strip_overrides(self.clean_question(question)))
        if not question:
            yield self._final(prompts.DECLINE_META, [], started, declined=True, mode="declined", query="",
                              reason="meta")
            return
        parts = questions_in(question, history or [], self.reader.read)
        if len(parts) > 1:
            yield from self._several(parts, history or [], started)
            return
        yield from self._route(question, history or [], started)

    def _route(self, question: str, history: list[dict], started: float) -> Iterator[StreamEvent]:
        reading = self.reader.read(question, history)
        if reading.kind == "meta":
            yield self._decline(prompts.DECLINE_META, "meta", reading, started)
        elif reading.kind == "out_of_scope":
            yield self._decline(decline_text(self.roles, reading), "out_of_scope", reading, started)
        elif self._asks_for_lessons(reading):
            yield from self._plan(reading, started)
        elif (computed := compute(reading, self.roles)) is not None:
            yield StreamEvent(token=computed.text)
            yield self._final(computed.text, computed.sources, started, declined=computed.declined,
                              mode="declined" if computed.declined else "computed", query=reading.query,
                              reason=computed.reason, reading=reading)
        elif reading.kind == "path_request":
            yield from self._recommend(question, started)
        else:
            yield from self._from_passages(_Turn(question, reading, started))

    def _several(self, parts: list[str], history: list[dict], started: float) -> Iterator[StreamEvent]:
        """Each question of a message answered in turn (later ones as follow-ups), joined."""
        results: list[AnswerResult] = []
        turns = list(history)
        for part in parts:
            result = None
            for event in self._route(part, turns, time.perf_counter()):
                result = event.result or result
            assert result is not None
            if results and results[-1].declined and (result.reading or {}).get("follow_up"):
                continue  # "..., and how much is that worth?" after a question the guide cannot answer
            if any(r.answer == result.answer for r in results):
                continue  # read as the same question again: said once
            results.append(result)
            turns += [{"role": "user", "content": part}, {"role": "assistant", "content": result.answer}]
        text, sources = joined(results)
        modes = {r.mode for r in results}
        mode = "recommendation" if "recommendation" in modes else modes.pop() if len(modes) == 1 else "parts"
        declined = all(r.declined for r in results)
        yield StreamEvent(token=text)
        final = self._final(text, sources, started, declined=declined, mode=mode, query=results[0].query,
                            reason=results[0].reason if declined else None,
                            retrieved=[c for r in results for c in r.retrieved])
        assert final.result is not None
        final.result.reading = results[0].reading
        yield final

    def _from_passages(self, turn: _Turn) -> Iterator[StreamEvent]:
        """Retrieve, gate, then quote the deciding lines of a yes/no question or ask the model."""
        reading = turn.reading
        hits = passages.retrieve(self.search, self.roles, reading)
        turn.retrieved = [h.citation for h in hits]
        # A guide page that addresses the assistant ("ignore previous instructions ...") is
        # quarantined: it never becomes a source, so nothing it says can reach an answer.
        hits = [h for h in hits if not (OVERRIDE.search(h.body) or META_REQUEST.search(h.body))]
        if not passages.relevant(reading, hits, self.settings.relevance_threshold):
            yield self._final(decline_text(self.roles), [], turn.started, declined=True, mode="declined",
                              query=reading.query, retrieved=turn.retrieved, reason="out_of_scope",
                              reading=reading)
            return
        turn.context = passages.context(reading, hits, self.settings, self.context_by_need)
        turn.sources = [source_dict(n, h) for n, h in enumerate(turn.context, start=1)]
        weighs = reading.yes_no or bool(reading.roles and phrasing.HOW_HARD.search(reading.text))
        quoted = self._quoted(reading, turn.context) if weighs and self.settings.yes_no_answers == "quote" else ""
        if quoted:
            answer, cited = grounding.tidy_citations(quoted, turn.sources)
            yield self._final(answer, cited, turn.started, mode="quoted", query=reading.query,
                              reading=reading, retrieved=turn.retrieved)
            return
        yield from self._model_answer(turn)

    def _model_answer(self, turn: _Turn) -> Iterator[StreamEvent]:
        """Stream the model's answer as it passes the figure and prompt-leak checks; then check
        the whole answer, and quote the guide instead if it fails."""
        reading, context = turn.reading, turn.context
        texts = [h.text for h in context]
        messages = [SystemMessage(prompts.SYSTEM), HumanMessage(prompts.USER.format(
            sources="\n\n".join(prompts.SOURCE.format(n=n, citation=h.citation, text=h.body)
                                for n, h in enumerate(context, start=1)),
            question=reading.text + (prompts.YES_NO_HINT if reading.yes_no else "")))]
        guard = grounding.FigureGuard(texts)
        try:
            yield from self._checked_stream(messages, guard, turn)
        except BackendUnavailable as exc:
            if self.settings.fallback != "extractive":
                raise
            text = extractive_answer(reading.text, context, roles=reading.roles)
            yield StreamEvent(token=text, replace=True)
            yield self._final(text, turn.sources, turn.started, mode="fallback", query=reading.query,
                              notice=prompts.LLM_DOWN_NOTE.format(reason=str(exc)), reading=reading,
                              retrieved=turn.retrieved, ttft=turn.ttft)
            return
        answer, issues = self._checked_answer(guard, turn)
        if issues or not answer:
            logger.info("grounding check failed (%s): answering extractively", "; ".join(issues) or "empty")
            text = extractive_answer(reading.text, context, roles=reading.roles)
            yield StreamEvent(token=text, replace=True)
            yield self._final(text, turn.sources, turn.started, mode="extractive", query=reading.query,
                              reading=reading, problems=issues, retrieved=turn.retrieved, ttft=turn.ttft)
            return
        if not grounding.cited_ids(answer) and turn.sources:
            answer += " [1]"
        if reading.yes_no or (reading.judgement and not phrasing.ASKS_WHY.search(reading.text)):  # a verdict, not reasons
            answer = with_evidence(answer, self._deciding_lines(answer, reading, context))
        answer, sources = grounding.tidy_citations(answer, turn.sources)
        if answer != turn.shown:
            yield StreamEvent(token=answer, replace=True)
        yield self._final(answer, sources, turn.started, mode="llm", query=reading.query, reading=reading,
                          retrieved=turn.retrieved, ttft=turn.ttft)

    def _checked_stream(self, messages: list, guard: grounding.FigureGuard,
                        turn: _Turn) -> Iterator[StreamEvent]:
        """The model's tokens, each shown once the figures in it are checked; stops at the first
        unsupported figure or at a run of the system prompt (`turn.leaked`)."""
        for piece in self._stream_llm(messages):
            if turn.ttft is None:
                turn.ttft = time.perf_counter() - turn.started
            safe = guard.feed(piece)
            if guard.failed:
                return
            if safe and leaks_prompt(turn.shown + safe):
                turn.leaked = True
                return
            if safe:
                turn.shown += safe
                yield StreamEvent(token=safe)
        tail = guard.flush()
        if tail and not guard.failed:
            turn.shown += tail
            yield StreamEvent(token=tail)

    def _checked_answer(self, guard: grounding.FigureGuard, turn: _Turn) -> tuple[str, list[str]]:
        """The whole answer after the checks (citations repaired, unsupported sentences cut), and
        the problems that make it unusable."""
        texts = [h.text for h in turn.context]
        answer = guard.text.strip()
        if not guard.failed:
            answer = grounding.repair_citations(answer, texts)
        issues = ["unsupported figure " + f for f in guard.rejected]
        if turn.leaked or leaks_prompt(answer):
            issues.append("the answer repeats the assistant's instructions")
        issues += grounding.problems(answer, texts, allowed_text=self.guide_text) if not guard.failed else []
        if not issues and answer:
            # Sentences whose words are mostly in no source are the model's own additions: cut.
            said = [*texts, *(h.citation for h in turn.context), turn.question, turn.reading.text]
            weak = grounding.weak_claims(answer, said)
            if weak:
                logger.info("dropping %d unsupported sentence(s): %s", len(weak), " | ".join(weak))
                answer = grounding.without_claims(answer, weak)
                if not grounding.claims(answer):
                    issues = [f"unsupported sentence: {w}" for w in weak]
        return answer, issues

    def retrieve(self, question: object, history: list[dict] | None = None) -> tuple[Reading, list[Hit]]:
        """The chain's retrieval step alone, no LLM: the question read against the
        conversation, and the passages it ranks (what `stream` would put in the prompt)."""
        reading = self.reader.read(strip_overrides(self.clean_question(question)), history or [])
        return reading, passages.retrieve(self.search, self.roles, reading)

    def clean_question(self, question: object) -> str:
        """Validate a question: a string, not empty, not huge; control characters dropped."""
        if not isinstance(question, str):
            raise BadInput(f"the question must be text, not {type(question).__name__}")
        text = unicodedata.normalize("NFC", CONTROL.sub(" ", question))
        # Invisible format characters (zero-width space, BOM, bidi overrides) carry no words.
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
        text = re.sub(r"\s+", " ", text).strip()
        if not text:
            raise BadInput("the question is empty: ask something about AI careers")
        limit = self.settings.max_question_chars
        if len(text) > limit:
            raise BadInput(f"the question is {len(text):,} characters long; the limit is {limit:,}")
        return text

    def status(self) -> str:
        return f"model: {self.model_name} · index: {self.search.chunk_count()} chunks"

    # ------------------------------------------------------------------ steps

    def _stream_llm(self, messages: list) -> Iterator[str]:
        from assistant.llm import stream_text

        yield from stream_text(self.chat_model, messages)

    def _recommend(self, question: str, started: float) -> Iterator[StreamEvent]:
        """Cards first (no model call), then the model's refinements and summary replace them."""
        from assistant.recommend import stream_path_request

        text, cards, ttft = "", [], None
        for text, cards in stream_path_request(question, self.roles, self.chat_model, embeddings=self.reader.embeddings,
                                               check=lambda a, s: grounding.problems(a, s, self.guide_text)):
            yield StreamEvent(token=text, replace=ttft is not None)
            ttft = ttft if ttft is not None else time.perf_counter() - started
        sources: list[dict] = []
        for card in cards:
            for src in card.sources:
                if src["id"] not in {s["id"] for s in sources}:
                    sources.append(src)
        sources.sort(key=lambda s: s["id"])
        yield self._final(text, sources, started, mode="recommendation", query=question, ttft=ttft)

    def _asks_for_lessons(self, reading: Reading) -> bool:
        from assistant.plan import is_lesson_request

        if len(reading.roles) != 1 or not is_lesson_request(reading.text):
            return False
        facts = self.roles.get(reading.roles[0])
        return facts is not None and facts.detailed

    def _plan(self, reading: Reading, started: float) -> Iterator[StreamEvent]:
        """ "Which lessons should I take to become X?": the role's skills from the guide, and
        for each the course library's lessons (computed from the index, no model call)."""
        from assistant.plan import plan_answer

        text, sources = plan_answer(reading.roles[0], self.roles, self.library)
        yield StreamEvent(token=text)
        yield self._final(text, sources, started, mode="plan", query=reading.query, reading=reading)

    def _decline(self, text: str, reason: str, reading: Reading, started: float) -> StreamEvent:
        return self._final(text, [], started, declined=True, mode="declined", query=reading.query,
                           reason=reason, reading=reading)

    def _quoted(self, reading: Reading, context: list[Hit]) -> str:
        """The guide's sentences that decide a yes/no question, best first, each quoted with its
        citation; "" when none can be picked (the model answers instead)."""
        numbers = passages.own_passages(set(reading.roles), context)
        picks = self.evidence.pick(reading.text, [context[n - 1].body for n in numbers], limit=QUOTED,
                                   ignore=reading.roles)
        if not picks:
            return ""
        lines = [f"> {sentence.rstrip()} [{numbers[k - 1]}]" for k, sentence in picks]
        return prompts.QUOTED_INTRO + "\n\n" + "\n".join(lines)

    def _deciding_lines(self, answer: str, reading: Reading, context: list[Hit]) -> list[tuple[int, str]]:
        """The guide's lines nearest in meaning to the question, from the passages of the roles
        named in the verdict, else of those asked about and the guide's general passages."""
        named = {r.title for r in find_roles(answer, self.roles)}  # the verdict's own role first: its honest note
        numbers = passages.own_passages(set(reading.roles) | named, context, general=not named)
        picks = self.evidence.pick(reading.text, [context[n - 1].body for n in numbers], limit=2, ignore=reading.roles)
        return [(numbers[k - 1], line) for k, line in picks]

    def _final(self, answer: str, sources: list[dict], started: float, *, declined: bool = False,
               mode: str, query: str, notice: str = "", problems: list[str] | None = None,
               retrieved: list[str] | None = None, ttft: float | None = None, reason: str | None = None,
               reading: Reading | None = None) -> StreamEvent:
        latency = time.perf_counter() - started
        return StreamEvent(result=AnswerResult(
            answer=answer, sources=sources, declined=declined, latency_s=latency,
            ttft_s=ttft if ttft is not None else (latency if mode != "llm" else None),
            mode=mode, query=query, notice=notice, problems=problems or [], retrieved=retrieved or [],
            reason=reason, reading=reading.to_dict() if reading else None))


def build_assistant(s: Settings) -> Assistant:
    """Wire the assistant from settings: index, embeddings, chat model, role facts."""
    from assistant.llm import make_chat_model, model_info
    from assistant.plan import build_library
    from assistant.roles import load_roles
    from core.embeddings import make_embeddings
    from core.store import get_collection, make_chroma_client

    embeddings = make_embeddings(s)
    collection = get_collection(make_chroma_client(s), s, embeddings, create=False)
    store_name = f"Chroma server at {s.chroma_host}:{s.chroma_port}" if s.chroma_host else ""
    search = HybridSearch(collection, embeddings, store_name=store_name)
    chat_model = make_chat_model(s)
    roles = load_roles(s.corpus_dir)
    library = build_library(s, embeddings=embeddings)
    return Assistant(s, search, chat_model, roles, load_guide_text(s.corpus_dir), model_info(chat_model),
                     library=library)


def load_guide_text(corpus_dir: Path) -> str:
    """All of the guide's text (for the check that every role named exists in it)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(Path(corpus_dir).glob("*.md")))
