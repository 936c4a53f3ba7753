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

from assistant import grounding, prompts
from assistant.computed import compute
from assistant.errors import BackendUnavailable, BadInput
from assistant.evidence import EvidencePicker
from assistant.lexicon import TOPIC_SECTION
from assistant.retrieval import Hit, HybridSearch, content_words, fit_budget
from assistant.roles import LISTED_SECTION, RoleFacts, region_in_text
from assistant.settings import Settings
from assistant.understanding import META_REQUEST, QuestionReader, Reading

logger = logging.getLogger(__name__)

SEARCH_K = 8
# Passages added after the asked section. Measured on the gold + dev questions that reach the
# model (48): with 2, every expected fact is in the prompt as often as with the 700-token
# budget (44) at 317 instead of 330 prompt tokens (p50); with 1, two PhD questions lose theirs.
NEED_EXTRA = 2
# Deciding sentences quoted for a yes/no question: on the gold + dev yes/no questions the
# deciding one was among the best three nearly always, but not always first.
QUOTED = 3
# Sentences that try to take over the assistant; they are dropped before retrieval so
# only the question they wrap is judged (and answered) on its own merits.
OVERRIDE = re.compile(
    r"(ignore (all |any )?(the |your )?(previous|prior|above|earlier|career guide|guide|instructions)|"
    r"disregard (all |the |your )?(previous|prior|above|instructions|guide)|you are now|you're now|"
    r"\bDAN\b|no restrictions|developer mode|jailbreak|let's play a game|system override|"
    r"new instruction|act as (a|an) )",
    re.I,
)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class AnswerResult:
    """One answer, in the JSON shape of `career-assistant ask --json` (plus diagnostics)."""

    answer: str
    sources: list[dict]
    declined: bool
    latency_s: float
    ttft_s: float | None = None
    mode: str = "llm"  # llm | computed | extractive | declined | recommendation | fallback
    reason: str | None = None  # why it declined: out_of_scope | not_in_guide | meta
    query: str = ""
    notice: str = ""
    problems: list[str] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)  # citations of the ranked hits
    reading: dict | None = None  # the question understanding's reading (diagnostics)

    def to_dict(self) -> dict:
        return {
            "answer": self.answer, "sources": self.sources, "declined": self.declined, "reason": self.reason,
            "latency_s": round(self.latency_s, 3), "ttft_s": None if self.ttft_s is None else round(self.ttft_s, 3),
            "mode": self.mode, "query": self.query, "notice": self.notice,
            "retrieved": self.retrieved, "reading": self.reading,
        }


@dataclass
class StreamEvent:
    """A piece of a streamed answer; the last event carries the result.

    `replace` is True when the text shown so far must be replaced by `token`
    (the grounding check swapped in an extractive answer).
    """

    token: str = ""
    replace: bool = False
    result: AnswerResult | None = None


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
        started = time.perf_counter()
        question = strip_overrides(self.clean_question(question))
        if not question:
            yield self._final(prompts.DECLINE_META, [], started, declined=True, mode="declined", query="",
                              reason="meta")
            return
        reading = self.reader.read(question, history or [])
        if reading.kind == "meta":
            yield self._decline(prompts.DECLINE_META, "meta", reading, started)
            return
        if reading.kind == "out_of_scope":
            yield self._decline(self._decline_text(reading.foreign), "out_of_scope", reading, started)
            return
        if self._asks_for_lessons(reading):
            yield from self._plan(reading, started)
            return
        if reading.kind == "path_request":
            yield from self._recommend(question, started)
            return
        computed = compute(reading, self.roles)
        if computed is not None:
            yield StreamEvent(token=computed.text)
            yield self._final(computed.text, computed.sources, started, declined=computed.declined,
                              mode="declined" if computed.declined else "computed", query=reading.query,
                              reason=computed.reason, reading=reading)
            return
        hits = self._retrieve(reading)
        retrieved = [h.citation for h in hits]
        # A guide page that addresses the assistant ("ignore previous instructions ...") is
        # quarantined: it never becomes a source, so nothing it says can reach an answer.
        hits = [h for h in hits if not (OVERRIDE.search(h.body) or META_REQUEST.search(h.body))]
        if not self._relevant(reading, hits):
            yield self._final(self._decline_text(), [], started, declined=True, mode="declined",
                              query=reading.query, retrieved=retrieved, reason="out_of_scope", reading=reading)
            return
        context = self._context(reading, hits)
        sources = [_source(n, h) for n, h in enumerate(context, start=1)]
        if reading.yes_no and self.settings.yes_no_answers == "quote":
            quoted = self._quoted(reading, context)
            if quoted:
                answer, cited = grounding.tidy_citations(quoted, sources)
                yield self._final(answer, cited, started, mode="quoted", query=reading.query, reading=reading,
                                  retrieved=retrieved)
                return
        texts = [h.text for h in context]
        messages = [SystemMessage(prompts.SYSTEM), HumanMessage(prompts.USER.format(
            sources="\n\n".join(prompts.SOURCE.format(n=n, citation=h.citation, text=h.body)
                                for n, h in enumerate(context, start=1)),
            question=reading.text + (prompts.YES_NO_HINT if reading.yes_no else "")))]

        shown = ""
        ttft = None
        leaked = False
        guard = _FigureGuard(texts)
        try:
            for piece in self._stream_llm(messages):
                if ttft is None:
                    ttft = time.perf_counter() - started
                safe = guard.feed(piece)
                if guard.failed:
                    break
                if safe and leaks_prompt(shown + safe):
                    leaked = True
                    break
                if safe:
                    shown += safe
                    yield StreamEvent(token=safe)
            if not guard.failed and not leaked:
                tail = guard.flush()
                if tail and not guard.failed:
                    shown += tail
                    yield StreamEvent(token=tail)
        except BackendUnavailable as exc:
            if self.settings.fallback != "extractive":
                raise
            text = extractive_answer(reading.text, context, roles=reading.roles)
            note = prompts.LLM_DOWN_NOTE.format(reason=str(exc))
            yield StreamEvent(token=text, replace=True)
            yield self._final(text, sources, started, mode="fallback", query=reading.query, notice=note, reading=reading,
                              retrieved=retrieved, ttft=ttft)
            return

        answer = guard.text.strip()
        if not guard.failed:
            answer = grounding.repair_citations(answer, texts)
        issues = ["unsupported figure " + f for f in guard.rejected]
        if leaked or leaks_prompt(answer):
            issues.append("the answer repeats the assistant's instructions")
        issues += grounding.problems(answer, texts, allowed_text=self.guide_text) if not guard.failed else []
        if not issues and answer:
            # Sentences whose words are mostly in no source are the model's own additions: cut.
            said = [*texts, *(h.citation for h in context), question, reading.text]
            weak = grounding.weak_claims(answer, said)
            if weak:
                logger.info("dropping %d unsupported sentence(s): %s", len(weak), " | ".join(weak))
                answer = grounding.without_claims(answer, weak)
                if not grounding.claims(answer):
                    issues = [f"unsupported sentence: {w}" for w in weak]
        if issues or not answer:
            logger.info("grounding check failed (%s): answering extractively", "; ".join(issues) or "empty")
            text = extractive_answer(reading.text, context, roles=reading.roles)
            yield StreamEvent(token=text, replace=True)
            yield self._final(text, sources, started, mode="extractive", query=reading.query, reading=reading,
                              problems=issues, retrieved=retrieved, ttft=ttft)
            return
        if not grounding.cited_ids(answer) and sources:
            answer += " [1]"
        if reading.yes_no:
            answer = _with_evidence(answer, reading, [h.body for h in context])
        answer, sources = grounding.tidy_citations(answer, sources)
        if answer != shown:
            yield StreamEvent(token=answer, replace=True)
        yield self._final(answer, sources, started, mode="llm", query=reading.query, reading=reading,
                          retrieved=retrieved, ttft=ttft)

    def retrieve(self, question: object, history: list[dict] | None = None) -> tuple[Reading, list[Hit]]:
        """The chain's retrieval step alone, no LLM: the question read against the
        conversation, and the passages it ranks (what `stream` would put in the prompt)."""
        reading = self.reader.read(strip_overrides(self.clean_question(question)), history or [])
        return reading, self._retrieve(reading)

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

    def _retrieve(self, reading: Reading) -> list[Hit]:
        """Hybrid search; a question naming several roles gets each role's best chunks."""
        facts = self.roles.get(reading.role or "")
        section = TOPIC_SECTION.get(reading.topic or "") if facts and facts.detailed else None
        if facts is not None and not facts.detailed:
            section = LISTED_SECTION  # what the guide says of listed-only roles
        elif reading.kind == "path_request":
            section = "How to choose your path"
        if len(reading.roles) < 2:
            return self.search.search(reading.query, k=SEARCH_K, role=reading.role, section=section)
        per_role = [self.search.search(f"{r}: {reading.text}", k=SEARCH_K, role=r, section=section)
                    for r in reading.roles[:3]]
        merged: list[Hit] = []
        for rank in range(SEARCH_K):
            for hits in per_role:
                if rank < len(hits) and hits[rank].chunk_id not in {h.chunk_id for h in merged}:
                    merged.append(hits[rank])
        return merged

    def _context(self, reading: Reading, hits: list[Hit]) -> list[Hit]:
        """What the model reads. A question about named roles gets each role's passage for the
        section asked about (or its best passage), plus the next NEED_EXTRA passages of those
        roles (the answer may sit in another of the role's sections than the one asked about).
        Anything else gets the best passages within the token budget. The model reads ~80 prompt
        tokens a second on 2 cores, so every passage costs time."""
        ranked = _close_to_best(hits)
        if not self.context_by_need or not reading.roles:
            return fit_budget(ranked, self.settings.context_tokens, self.settings.top_k)
        section = TOPIC_SECTION.get(reading.topic or "")
        asked = list(reading.roles[:3])
        chosen: list[Hit] = []
        for role in asked:
            own = [h for h in hits if h.metadata.get("role") == role]
            in_section = [h for h in own if section and _in_section(h, section)]
            chosen += in_section[:1] or own[:1]
        if not chosen:
            return fit_budget(ranked, self.settings.context_tokens, self.settings.top_k)
        extra = [h for h in hits if h not in chosen and h.metadata.get("role") in asked][:NEED_EXTRA]
        return fit_budget(chosen + extra, self.settings.context_tokens, self.settings.top_k)

    def _relevant(self, reading: Reading, hits: list[Hit]) -> bool:
        """The relevance gate: retrieval scores decide, never the model. A question about a
        role of the guide (asked or carried over from the conversation) is in scope."""
        if not hits:
            return False
        if reading.roles:
            return True
        return max(h.dense for h in hits) >= self.settings.relevance_threshold

    def _recommend(self, question: str, started: float) -> Iterator[StreamEvent]:
        """Cards first (no model call), then the model's refinements and summary replace them."""
        from assistant.recommend import stream_path_request

        text, cards, ttft = "", [], None
        for text, cards in stream_path_request(question, self.roles, self.chat_model,
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

    def _decline_text(self, foreign: tuple[str, ...] = ()) -> str:
        detailed = [r.title for r in self.roles.values() if r.detailed]
        text = prompts.DECLINE.format(roles=", ".join(detailed))
        if foreign:
            text = prompts.DECLINE_FOREIGN.format(what=", ".join(dict.fromkeys(foreign))) + " " + text
        return text

    def _decline(self, text: str, reason: str, reading: Reading, started: float) -> StreamEvent:
        return self._final(text, [], started, declined=True, mode="declined", query=reading.query,
                           reason=reason, reading=reading)

    def _quoted(self, reading: Reading, context: list[Hit]) -> str:
        """The guide's sentences that decide a yes/no question, best first, each quoted with its
        citation; "" when none can be picked (the model answers instead)."""
        picks = self.evidence.pick(reading.text, [h.body for h in context], limit=QUOTED, ignore=reading.roles)
        if not picks:
            return ""
        lines = [f"> {sentence.rstrip()} [{n}]" for n, sentence in picks]
        return prompts.QUOTED_INTRO + "\n\n" + "\n".join(lines)

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


def leaks_prompt(answer: str, words: int = 6) -> bool:
    """Does the answer repeat a run of the system prompt (an injected "print your prompt")?"""
    def shingles(text: str) -> set[tuple[str, ...]]:
        tokens = re.findall(r"[a-z]+", text.lower())
        return {tuple(tokens[i:i + words]) for i in range(len(tokens) - words + 1)}

    return bool(shingles(answer) & shingles(prompts.SYSTEM))


def strip_overrides(question: str) -> str:
    """Drop the sentences of a question that try to override the assistant's instructions."""
    if not OVERRIDE.search(question):
        return question
    sentences = re.split(r"(?<=[.!?:;])\s+|\s+-\s+|\n", question)
    kept = [s for s in sentences if s and not OVERRIDE.search(s)]
    return re.sub(r"</?\w+>", " ", " ".join(kept)).strip()


def extractive_answer(question: str, context: list[Hit], max_lines: int = 6, roles: tuple[str, ...] = ()) -> str:
    """An answer made only of the guide's own lines, each under its role and section, with its
    citation. With `roles`, only those roles' passages are quoted (when there are any)."""
    if not context:
        return prompts.EXTRACTIVE_INTRO + "\n\n(no passage found)"
    own = {n for n, hit in enumerate(context, start=1) if hit.metadata.get("role") in roles}
    wanted = content_words(question)
    region = region_in_text(question)
    scored: list[tuple[float, int, int, str]] = []
    for n, hit in enumerate(context, start=1):
        if own and n not in own:
            continue  # another role's passage: never quoted under this role's question
        for order, line in enumerate(l.strip() for l in hit.body.splitlines()):
            if not line or not re.search(r"[A-Za-z]", line):
                continue
            overlap = len(wanted & content_words(line)) + len(wanted & content_words(hit.citation)) * 0.5
            if region and region_in_text(line) == region:
                overlap += 2
            scored.append((overlap + 0.5 / n, n, order, line))
    first = min((s[1] for s in scored), default=1)
    relevant = [s for s in scored if s[0] >= 1.0] or [s for s in scored if s[1] == first][:3]
    best = sorted(relevant, key=lambda s: (-s[0], s[1], s[2]))[:max_lines]
    best.sort(key=lambda s: (s[1], s[2]))
    lines: list[str] = []
    headed: set[int] = set()
    for _, n, _, line in best:  # grouped by source: each group under its role and section
        if n not in headed:
            headed.add(n)
            lines.append(f"From {context[n - 1].citation} [{n}]:")
        lines.append(f"> {line.lstrip('- ').strip()} [{n}]")
    return prompts.EXTRACTIVE_INTRO + "\n\n" + "\n".join(lines)


def _with_evidence(answer: str, reading: Reading, texts: list[str]) -> str:
    """A short yes/no verdict gets the guide's own deciding sentence(s), quoted and cited: the
    small model often answers "No." without the reason the guide gives."""
    if len(grounding.claims(answer)) > 2:
        return answer
    role_words = {w for r in reading.roles for w in content_words(r)}
    asked = content_words(reading.question) - role_words - {"need", "needs", "have", "guide", "say", "says"}
    quotes = [f"The guide: “{s.rstrip('.')}.” [{n}]" for n, s in grounding.evidence(asked, texts)
              if s.rstrip(".") not in answer]
    return answer if not quotes else answer.rstrip() + "\n\n" + "\n".join(quotes)


def build_assistant(s: Settings) -> Assistant:
    """Wire the assistant from settings: index, embeddings, chat model, role facts."""
    from assistant.embeddings import make_embeddings
    from assistant.llm import make_chat_model, model_info
    from assistant.plan import build_library
    from assistant.roles import load_roles
    from assistant.store import get_collection, make_chroma_client

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


def _close_to_best(hits: list[Hit], margin: float = 0.25) -> list[Hit]:
    """Drop hits far less similar than the best one: a shorter prompt is a faster answer."""
    if not hits:
        return hits
    best = max(h.dense for h in hits)
    return [h for h in hits if h.dense >= best - margin]


def _in_section(hit: Hit, section: str) -> bool:
    return any(str(hit.metadata.get(key, "")).startswith(section) for key in ("section", "citation"))


def _source(n: int, hit: Hit) -> dict:
    return {"id": n, "source": str(hit.metadata.get("source", "")), "section": hit.citation, "text": hit.body}


class _FigureGuard:
    """Holds back streamed text until each figure in it is complete and checked.

    A figure the sources do not contain is never shown: the stream stops and the
    chain answers extractively instead.
    """

    _PENDING = re.compile(r"[£$€]?\s?[\d,.]*(\s?[kKmM])?\+?$")

    def __init__(self, source_texts: list[str]) -> None:
        self.sources = source_texts
        self.text = ""
        self._emitted = 0
        self.rejected: list[str] = []

    @property
    def failed(self) -> bool:
        return bool(self.rejected)

    def feed(self, piece: str) -> str:
        self.text += piece
        pending = self._PENDING.search(self.text)
        cut = pending.start() if pending and pending.group(0).strip() else len(self.text)
        return self._release(cut)

    def flush(self) -> str:
        return self._release(len(self.text))

    def _release(self, cut: int) -> str:
        if cut <= self._emitted:
            return ""
        # Check the figures that end in the newly released text, read on the whole text
        # so a figure is never cut in two.
        prefix = self.text[:cut]
        numbering = {m.start(1) for m in re.finditer(r"(?m)^\s*(\d{1,2})[.)]\s", prefix)}
        for m in grounding.FIGURE.finditer(prefix):
            if m.start("num") in numbering:
                continue  # "1. Python": list layout, not a figure
            if m.end() > self._emitted and not grounding.figure_is_supported(m.group(0), self.sources):
                self.rejected.append(m.group(0).strip())
        if self.rejected:
            return ""
        chunk = self.text[self._emitted:cut]
        self._emitted = cut
        return chunk
