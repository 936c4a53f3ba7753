"""The naive baseline: a tutorial RAG pipeline over corpus/, for side-by-side evals.

RecursiveCharacterTextSplitter 1000/200 over the raw files, dense top-4 from its own
Chroma collection (same embeddings), a plain "answer from the context" prompt and the
same chat model object as ours. No relevance gate, no grounding check, no follow-up
resolution: the history is passed to the model as chat turns and retrieval searches
the question as typed, as tutorials do.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from core.embeddings import embedding_model_id

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
TOP_K = 4
COLLECTION = "naive"
PROMPT = "Answer the question using the context. If you don't know, say you don't know."
SYSTEM = PROMPT + "\n\nContext:\n{context}"
SUFFIXES = (".md", ".mdx", ".markdown", ".txt")
# A naive pipeline has no decline path: an answer that says it cannot answer counts as a
# decline, so decline metrics compare like with like.
DECLINE = re.compile(
    r"\b(i\s+(do\s+not|don'?t|cannot|can'?t|could\s*not|couldn'?t)\s+(know|answer|find|help|provide|say)"
    r"|(do\s+not|don'?t)\s+have\s+(enough\s+)?(information|context|details)"
    r"|(cannot|can'?t|unable\s+to)\s+(be\s+)?(answer|determine|find)"
    r"|(context|guide|information)\s+(provided\s+)?(does\s+not|doesn'?t)\s+(contain|mention|provide|include|say|specify)"
    r"|not\s+(mentioned|provided|specified|covered)\s+in\s+the\s+(context|guide|information)"
    r"|no\s+information\s+(about|on|regarding))",
    re.I,
)
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)
_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$", re.M)


@dataclass
class NaiveResult:
    """One naive answer, shaped like the fields of AnswerResult the eval reads."""

    answer: str
    sources: list[dict]
    declined: bool
    latency_s: float
    ttft_s: float | None
    retrieved: list[list[str]] = field(default_factory=list)  # per chunk: the guide sections it spans
    mode: str = "naive"
    problems: list[str] = field(default_factory=list)


class NaivePipeline:
    """Retrieve top-4 chunks by dense similarity, stuff them into a plain prompt, stream."""

    def __init__(self, vectorstore: Any, chat_model: BaseChatModel, k: int = TOP_K) -> None:
        self.vectorstore = vectorstore
        self.chat_model = chat_model
        self.k = k

    def answer(self, question: str, history: Sequence[dict] | None = None) -> NaiveResult:
        from assistant.llm import stream_text

        started = time.perf_counter()
        docs = self.vectorstore.similarity_search(question, k=self.k)
        context = "\n\n".join(d.page_content for d in docs)
        messages: list[BaseMessage] = [SystemMessage(SYSTEM.format(context=context))]
        for turn in history or []:
            content = str(turn.get("content", ""))
            messages.append(HumanMessage(content) if turn.get("role") == "user" else AIMessage(content))
        messages.append(HumanMessage(question))
        ttft = None
        pieces: list[str] = []
        for piece in stream_text(self.chat_model, messages):
            if ttft is None:
                ttft = time.perf_counter() - started
            pieces.append(piece)
        answer = "".join(pieces).strip()
        sources = [
            {
                "id": n,
                "source": str(d.metadata.get("source", "")),
                "section": " | ".join(citations_of(d)),
                "text": d.page_content,
            }
            for n, d in enumerate(docs, start=1)
        ]
        return NaiveResult(
            answer=answer,
            sources=sources,
            declined=is_decline(answer),
            latency_s=time.perf_counter() - started,
            ttft_s=ttft,
            retrieved=[citations_of(d) for d in docs],
        )


def build_naive(
    corpus_dir: Path, client: Any, embeddings: Embeddings, chat_model: BaseChatModel, k: int = TOP_K
) -> NaivePipeline:
    """The naive pipeline over `corpus_dir`, indexed in its own collection of `client`.

    The index is rebuilt only when the chunks (or the embedding model) changed.
    """
    from langchain_chroma import Chroma

    chunks = load_naive_chunks(corpus_dir)
    model_id = embedding_model_id(embeddings)
    ids = [_chunk_id(model_id, c) for c in chunks]
    store = Chroma(collection_name=COLLECTION, embedding_function=embeddings, client=client)
    existing = set(store.get(include=[])["ids"])
    if existing != set(ids):
        if existing:
            logger.info("naive index changed: rebuilding %d chunks", len(chunks))
            store.delete_collection()
            store = Chroma(collection_name=COLLECTION, embedding_function=embeddings, client=client)
        store.add_documents(chunks, ids=ids)
    return NaivePipeline(store, chat_model, k=k)


def load_naive_chunks(corpus_dir: Path) -> list[Document]:
    """The raw files (front matter and all, as a TextLoader reads them) split 1000/200.

    Each chunk also records the guide sections it overlaps (`citations`, best first),
    only so the report can score naive retrieval with the same metric as ours.
    """
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    chunks: list[Document] = []
    root = Path(corpus_dir)
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()):
        text = path.read_text(encoding="utf-8")
        spans = section_spans(text, path.stem)
        source = f"{root.name}/{path.relative_to(root).as_posix()}"
        for chunk in splitter.split_documents([Document(page_content=text, metadata={"source": source})]):
            start = int(chunk.metadata["start_index"])
            chunk.metadata["citations"] = "\n".join(
                _overlapping(spans, start, start + len(chunk.page_content))
            )
            chunks.append(chunk)
    return chunks


def section_spans(text: str, fallback_title: str) -> list[tuple[int, int, str]]:
    """(start, end, "<role or title> / <section>") for each `##` section of a guide file."""
    front: dict = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.safe_load(match.group(1))
            front = loaded if isinstance(loaded, dict) else {}
        except yaml.YAMLError:
            front = {}
    title = str(front.get("role") or front.get("title") or "").strip()
    marks: list[tuple[int, str]] = [(match.end() if match else 0, "Introduction")]
    for heading in _HEADING.finditer(text):
        if len(heading.group(1)) == 1:
            title = title or heading.group(2).strip()
            continue
        marks.append((heading.start(), re.sub(r"[*_`]", "", heading.group(2)).strip()))
    title = title or fallback_title
    spans = []
    for n, (start, section) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(text)
        spans.append((start, end, f"{title} / {section}"))
    return spans


def citations_of(doc: Document) -> list[str]:
    return [c for c in str(doc.metadata.get("citations", "")).split("\n") if c]


def is_decline(answer: str) -> bool:
    """The answer says it does not know or cannot answer (or is empty)."""
    return not answer.strip() or bool(DECLINE.search(answer))


def _overlapping(spans: list[tuple[int, int, str]], start: int, end: int) -> list[str]:
    overlaps = [
        (min(end, e) - max(start, s), n, c)
        for n, (s, e, c) in enumerate(spans)
        if min(end, e) > max(start, s)
    ]
    overlaps.sort(key=lambda o: (-o[0], o[1]))
    return [c for _, _, c in overlaps]


def _chunk_id(model_id: str, chunk: Document) -> str:
    key = f"{model_id}\n{chunk.metadata['source']}\n{chunk.metadata['start_index']}\n{chunk.page_content}"
    return hashlib.sha1(key.encode()).hexdigest()[:20]
