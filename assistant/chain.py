"""The answer chain: resolve follow-ups, retrieve, gate, prompt, stream, check grounding."""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant import grounding, prompts
from assistant.errors import BackendUnavailable, BadInput
from assistant.retrieval import Hit, HybridSearch, content_words, fit_budget
from assistant.roles import RoleFacts, find_roles, region_in_text
from assistant.settings import Settings

logger = logging.getLogger(__name__)

SEARCH_K = 8
TOPICS: dict[str, tuple[str, ...]] = {
    "salary": ("salary", "salaries", "pay", "pays", "paid", "earn", "earns", "earning", "make", "makes",
               "compensation", "money", "income", "wage", "starts higher", "start higher", "starting salary",
               "starting pay", "lucrative"),
    "skills": ("skill", "skills", "learn", "know", "tools", "requirements", "need", "qualification",
               "tech stack", "stack", "technologies"),
    "tasks": ("day-to-day", "day to day", "daily", "tasks", "all day", "responsibilities", "job involve",
              "do they do", "what do", "work on", "spend their time", "spend my time", "typical day"),
    "suits": ("suit", "suits", "suited", "fit", "right for", "good for"),
    "break_in": ("break in", "break into", "get started", "get into", "start", "become", "entry"),
}
TOPIC_QUESTION = {
    "salary": "What is the salary range for the {role}{region}?",
    "skills": "What skills does the {role} need?",
    "tasks": "What does the {role} do day to day?",
    "suits": "Who does the {role} role suit?",
    "break_in": "How do you break in as a {role}?",
}
TOPIC_SECTION = {"salary": "Salary range", "skills": "Skills", "tasks": "Day-to-day tasks",
                 "suits": "Who it suits", "break_in": "How to break in"}
TOPIC_LABEL = {"salary": "salary range", "skills": "skills", "tasks": "day-to-day tasks",
               "suits": "who it suits", "break_in": "how to break in"}
REGION_NAME = {"uk": " in the UK", "us": " in the US", "global": " in global tech hubs"}
FOLLOW_UP_START = re.compile(r"^\s*(and|what about|how about|or|also|same|in the|for the|for a|for an|what of)\b", re.I)
PRONOUN = re.compile(r"\b(that role|this role|that job|this job|that path|this path|that track|the role|"
                     r"it|they|them|their|that|this|those|there)\b", re.I)
# Sentences that try to take over the assistant; they are dropped before retrieval so
# only the question they wrap is judged (and answered) on its own merits.
OVERRIDE = re.compile(
    r"(ignore (all |any )?(the |your )?(previous|prior|above|earlier|career guide|guide|instructions)|"
    r"disregard (all |the |your )?(previous|prior|above|instructions|guide)|you are now|you're now|"
    r"\bDAN\b|no restrictions|developer mode|jailbreak|let's play a game|system override|"
    r"new instruction|from now on|act as (a|an) )",
    re.I,
)
# Asking for the hidden instructions is declined; other injection attempts ("ignore previous
# instructions, ...") go through the normal path, where the gate and grounding check hold.
META_REQUEST = re.compile(
    r"(system[\s_-]*prompt|system[\s_-]*message|your (instructions|rules|prompt|guidelines)|initial prompt|"
    r"(reveal|print|show|repeat|output) (me )?(your|the) (hidden |secret )?(prompt|instructions|rules))",
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
    mode: str = "llm"  # llm | extractive | declined | recommendation | fallback
    query: str = ""
    notice: str = ""
    problems: list[str] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)  # citations of the ranked hits

    def to_dict(self) -> dict:
        return {
            "answer": self.answer, "sources": self.sources, "declined": self.declined,
            "latency_s": round(self.latency_s, 3), "ttft_s": None if self.ttft_s is None else round(self.ttft_s, 3),
            "mode": self.mode, "query": self.query, "notice": self.notice,
            "retrieved": self.retrieved,
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


@dataclass(frozen=True)
class ResolvedQuestion:
    """A question made standalone with what the conversation was about."""

    text: str          # what the LLM is asked
    query: str         # what retrieval searches for
    role: str | None
    topic: str | None
    region: str | None
    follow_up: bool


class Assistant:
    """Answers questions from the guide. Build it with `build_assistant(settings)`."""

    def __init__(self, settings: Settings, search: HybridSearch, chat_model: BaseChatModel,
                 roles: Mapping[str, RoleFacts], guide_text: str, model_name: str = "") -> None:
        self.settings = settings
        self.search = search
        self.chat_model = chat_model
        self.roles = roles
        self.guide_text = guide_text
        self.model_name = model_name or type(chat_model).__name__

    # ------------------------------------------------------------------ public

    def answer(self, question: str, history: list[dict] | None = None) -> AnswerResult:
        result = None
        for event in self.stream(question, history):
            result = event.result or result
        assert result is not None
        return result

    def stream(self, question: str, history: list[dict] | None = None) -> Iterator[StreamEvent]:
        started = time.perf_counter()
        question = self.clean_question(question)
        history = history or []
        if META_REQUEST.search(question):
            yield self._final(prompts.DECLINE_META, [], started, declined=True, mode="declined", query=question)
            return
        if self._is_path_request(question):
            yield from self._recommend(question, started)
            return
        question = strip_overrides(question)
        if not question:
            yield self._final(prompts.DECLINE_META, [], started, declined=True, mode="declined", query="")
            return
        resolved = resolve_question(question, history, self.roles)
        gap = self._guide_gap(resolved)
        if gap:
            yield StreamEvent(token=gap[0])
            yield self._final(gap[0], gap[1], started, mode="facts", query=resolved.query)
            return
        hits = self._retrieve(question, resolved)
        retrieved = [h.citation for h in hits]
        # A guide page that addresses the assistant ("ignore previous instructions ...") is
        # quarantined: it never becomes a source, so nothing it says can reach an answer.
        hits = [h for h in hits if not (OVERRIDE.search(h.body) or META_REQUEST.search(h.body))]
        if not self._relevant(question, resolved, hits):
            yield self._final(self._decline_text(), [], started, declined=True, mode="declined",
                              query=resolved.query, retrieved=retrieved)
            return
        context = fit_budget(_close_to_best(hits), self.settings.context_tokens, self.settings.top_k)
        sources = [_source(n, h) for n, h in enumerate(context, start=1)]
        texts = [h.text for h in context]
        messages = [SystemMessage(prompts.SYSTEM), HumanMessage(prompts.USER.format(
            sources="\n\n".join(prompts.SOURCE.format(n=n, citation=h.citation, text=h.body)
                                for n, h in enumerate(context, start=1)),
            question=resolved.text))]

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
            text = extractive_answer(resolved.text, context)
            note = prompts.LLM_DOWN_NOTE.format(reason=str(exc))
            yield StreamEvent(token=text, replace=True)
            yield self._final(text, sources, started, mode="fallback", query=resolved.query, notice=note,
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
            said = [*texts, *(h.citation for h in context), question, resolved.text]
            weak = grounding.weak_claims(answer, said)
            if weak:
                logger.info("dropping %d unsupported sentence(s): %s", len(weak), " | ".join(weak))
                answer = grounding.without_claims(answer, weak)
                if not grounding.claims(answer):
                    issues = [f"unsupported sentence: {w}" for w in weak]
        if issues or not answer:
            logger.info("grounding check failed (%s): answering extractively", "; ".join(issues) or "empty")
            text = extractive_answer(resolved.text, context)
            yield StreamEvent(token=text, replace=True)
            yield self._final(text, sources, started, mode="extractive", query=resolved.query,
                              problems=issues, retrieved=retrieved, ttft=ttft)
            return
        if not grounding.cited_ids(answer) and sources:
            answer += " [1]"
        if answer != shown:
            yield StreamEvent(token=answer, replace=True)
        yield self._final(answer, sources, started, mode="llm", query=resolved.query,
                          retrieved=retrieved, ttft=ttft)

    def retrieve(self, question: object, history: list[dict] | None = None) -> tuple[ResolvedQuestion, list[Hit]]:
        """The chain's retrieval step alone, no LLM: the question resolved against the
        conversation, and the passages it ranks (what `stream` would put in the prompt)."""
        text = strip_overrides(self.clean_question(question))
        resolved = resolve_question(text, history or [], self.roles)
        return resolved, self._retrieve(text, resolved)

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

    def _retrieve(self, question: str, resolved: ResolvedQuestion) -> list[Hit]:
        """Hybrid search; a question naming several roles gets each role's best chunks."""
        named = find_roles(question, self.roles)
        facts = self.roles.get(resolved.role or "")
        section = TOPIC_SECTION.get(resolved.topic or "") if facts and facts.detailed else None
        if facts is not None and not facts.detailed:
            section = "Tracks without a detailed profile"  # what the guide says of listed-only roles
        elif self._is_path_request(question):
            section = "How to choose your path"
        if len(named) < 2:
            return self.search.search(resolved.query, k=SEARCH_K, role=resolved.role, section=section)
        per_role = [self.search.search(f"{r.title}: {question}", k=SEARCH_K, role=r.title, section=section)
                    for r in named[:3]]
        merged: list[Hit] = []
        for rank in range(SEARCH_K):
            for hits in per_role:
                if rank < len(hits) and hits[rank].chunk_id not in {h.chunk_id for h in merged}:
                    merged.append(hits[rank])
        return merged

    def _relevant(self, question: str, resolved: ResolvedQuestion, hits: list[Hit]) -> bool:
        """The relevance gate: retrieval scores decide, never the model."""
        threshold = self.settings.relevance_threshold
        if not hits:
            return False
        if hits[0].dense >= threshold or max(h.dense for h in hits) >= threshold:
            raw_ok = True
        else:
            raw_ok = False
        if resolved.follow_up:
            return True if resolved.role else raw_ok
        return raw_ok

    def _guide_gap(self, resolved: ResolvedQuestion) -> tuple[str, list[dict]] | None:
        """What the guide does not give, said plainly from its own facts (no model needed).

        Small models fill such gaps with a neighbouring role's or region's figure.
        """
        facts = self.roles.get(resolved.role or "")
        if facts is None or resolved.topic not in {"salary", "skills", "tasks"}:
            return None
        if not facts.detailed:
            hit = self._section_hit("The AI career landscape / Tracks without a detailed profile")
            sources = [_source(1, hit)] if hit else []
            cite = " [1]" if hit else ""
            return (f"The guide lists {facts.title} as one of its career tracks but gives no detailed "
                    f"profile for it: no day-to-day tasks, skills or salary figures{cite}.", sources)
        region = resolved.region or ""
        if resolved.topic != "salary" or not region:
            return None
        if not region.startswith("other:") and facts.salary_for(region):
            return None
        hit = self._section_hit(facts.citation("Salary range"))
        if hit is None:
            return None
        given = "; ".join(f"{r.region}: {r.display(with_qualifier=True)}" for r in facts.salaries)
        where = REGION_NAME.get(region, "").strip() or f"in {region.removeprefix('other:')}"
        return (f"The guide gives no salary figure for the {facts.title} {where}. The figures it does "
                f"give are {given} [1].", [_source(1, hit)])

    def _section_hit(self, citation: str) -> Hit | None:
        for hit in self.search.search(citation.replace(" / ", " "), k=SEARCH_K):
            if hit.citation == citation:
                return hit
        return None

    def _is_path_request(self, question: str) -> bool:
        from assistant.recommend import is_path_request

        return is_path_request(question)

    def _recommend(self, question: str, started: float) -> Iterator[StreamEvent]:
        from assistant.recommend import answer_path_request

        text, cards = answer_path_request(question, self.roles, self.chat_model,
                                          check=lambda a, s: grounding.problems(a, s, self.guide_text))
        sources: list[dict] = []
        for card in cards:
            for src in card.sources:
                if src["id"] not in {s["id"] for s in sources}:
                    sources.append(src)
        sources.sort(key=lambda s: s["id"])
        yield StreamEvent(token=text)
        yield self._final(text, sources, started, mode="recommendation", query=question)

    def _decline_text(self) -> str:
        detailed = [r.title for r in self.roles.values() if r.detailed]
        return prompts.DECLINE.format(roles=", ".join(detailed))

    def _final(self, answer: str, sources: list[dict], started: float, *, declined: bool = False,
               mode: str, query: str, notice: str = "", problems: list[str] | None = None,
               retrieved: list[str] | None = None, ttft: float | None = None) -> StreamEvent:
        latency = time.perf_counter() - started
        return StreamEvent(result=AnswerResult(
            answer=answer, sources=sources, declined=declined, latency_s=latency,
            ttft_s=ttft if ttft is not None else (latency if mode != "llm" else None),
            mode=mode, query=query, notice=notice, problems=problems or [], retrieved=retrieved or []))


def resolve_question(question: str, history: list[dict], roles: Mapping[str, RoleFacts]) -> ResolvedQuestion:
    """Carry the role, topic and region of the conversation into a follow-up question.

    Rule-based on purpose: "And in the US?" must resolve even when no LLM is available.
    """
    q_roles = find_roles(question, roles)
    topic = detect_topic(question)
    region = region_in_text(question) or _other_place(question)
    starts_like_follow_up = bool(FOLLOW_UP_START.search(question))
    follow_up_form = bool(starts_like_follow_up or PRONOUN.search(question) or topic)
    prev_role = prev_topic = prev_region = None
    for turn in reversed(history):
        if turn.get("role") != "user":
            continue
        text = str(turn.get("content", ""))
        prev_role = prev_role or next((r.title for r in find_roles(text, roles)), None) or _background_role(text)
        prev_topic = prev_topic or detect_topic(text)
        prev_region = prev_region or region_in_text(text)
        if prev_role and prev_topic:
            break
    if not history or not follow_up_form or (q_roles and topic):
        role = q_roles[0].title if q_roles else None
        return ResolvedQuestion(question, question, role, topic, region, follow_up=False)
    role = q_roles[0].title if q_roles else prev_role
    topic = topic or prev_topic
    if topic == "salary":
        region = region or prev_region
    if not role:
        return ResolvedQuestion(question, question, None, topic, region, follow_up=False)
    template = TOPIC_QUESTION.get(topic or "")
    if template and (len(question.split()) <= 5 or starts_like_follow_up):
        where = REGION_NAME.get(region or "", f" in {(region or '').removeprefix('other:')}" if region else "")
        text = template.format(role=role, region=where)
    elif not q_roles and PRONOUN.search(question):
        text = PRONOUN.sub(f"the {role}", question, count=1)
    else:
        label = TOPIC_LABEL.get(topic or "", "")
        where = REGION_NAME.get(region or "", "")
        text = f"{question} (about the {role}{', ' + label if label else ''}{where})"
    query = f"{role} {TOPIC_LABEL.get(topic or '', '')} {text}"
    return ResolvedQuestion(text, query, role, topic, region, follow_up=True)


def _other_place(question: str) -> str | None:
    """A place the guide gives no figures for ("in India" -> "other:India")."""
    m = re.search(r"\b(?:in|for|from|around)\s+((?:[A-Z][a-z]+)(?:\s[A-Z][a-z]+)?)\b", question)
    if not m or m.group(1).split()[0] in {"AI", "ML", "The", "Data", "Machine", "Prompt", "Research", "MLOps"}:
        return None
    return f"other:{m.group(1)}"


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


def _background_role(text: str) -> str | None:
    """The role the guide points a stated background to ("I'm a data analyst" -> Data Scientist)."""
    from assistant.quiz import background_of, guide_titles

    background = background_of(text)
    if background.key == "other":
        return None
    titles = guide_titles(background.roles)
    return titles[0] if titles else None


def detect_topic(text: str) -> str | None:
    lowered = f" {text.lower()} "
    for topic, words in TOPICS.items():
        for word in words:
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered):
                return topic
    return None


def extractive_answer(question: str, context: list[Hit], max_lines: int = 6) -> str:
    """An answer made only of the guide's own lines, each with its citation."""
    if not context:
        return prompts.EXTRACTIVE_INTRO + "\n\n(no passage found)"
    wanted = content_words(question)
    region = region_in_text(question)
    scored: list[tuple[float, int, int, str]] = []
    for n, hit in enumerate(context, start=1):
        for order, line in enumerate(l.strip() for l in hit.body.splitlines()):
            if not line or not re.search(r"[A-Za-z]", line):
                continue
            overlap = len(wanted & content_words(line)) + len(wanted & content_words(hit.citation)) * 0.5
            if region and region_in_text(line) == region:
                overlap += 2
            scored.append((overlap + 0.5 / n, n, order, line))
    relevant = [s for s in scored if s[0] >= 1.0] or [s for s in scored if s[1] == 1][:3]
    best = sorted(relevant, key=lambda s: (-s[0], s[1], s[2]))[:max_lines]
    best.sort(key=lambda s: (s[1], s[2]))
    lines = [f"> {line.lstrip('- ').strip()} [{n}]" for _, n, _, line in best]
    return prompts.EXTRACTIVE_INTRO + "\n\n" + "\n".join(lines)


def build_assistant(s: Settings) -> Assistant:
    """Wire the assistant from settings: index, embeddings, chat model, role facts."""
    from assistant.embeddings import make_embeddings
    from assistant.llm import make_chat_model, model_info
    from assistant.roles import load_roles
    from assistant.store import get_collection, make_chroma_client

    embeddings = make_embeddings(s)
    collection = get_collection(make_chroma_client(s), s, embeddings, create=False)
    store_name = f"Chroma server at {s.chroma_host}:{s.chroma_port}" if s.chroma_host else ""
    search = HybridSearch(collection, embeddings, store_name=store_name)
    chat_model = make_chat_model(s)
    roles = load_roles(s.corpus_dir)
    return Assistant(s, search, chat_model, roles, load_guide_text(s.corpus_dir), model_info(chat_model))


def load_guide_text(corpus_dir: Path) -> str:
    """All of the guide's text (for the check that every role named exists in it)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(Path(corpus_dir).glob("*.md")))


def _close_to_best(hits: list[Hit], margin: float = 0.25) -> list[Hit]:
    """Drop hits far less similar than the best one: a shorter prompt is a faster answer."""
    if not hits:
        return hits
    best = max(h.dense for h in hits)
    return [h for h in hits if h.dense >= best - margin]


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
        for m in grounding.FIGURE.finditer(prefix):
            if m.end() > self._emitted and not grounding.figure_is_supported(m.group(0), self.sources):
                self.rejected.append(m.group(0).strip())
        if self.rejected:
            return ""
        chunk = self.text[self._emitted:cut]
        self._emitted = cut
        return chunk
