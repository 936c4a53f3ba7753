"""Start-up and status: the Assistant built lazily (and again after a failure), warmed up in
the background, and the status line saying what is in use or what is missing."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from assistant.webapp.text import md_escape
from core.errors import BackendUnavailable, CareerAssistantError, IndexMissing
from core.settings import Settings

if TYPE_CHECKING:
    from assistant.chain import Assistant

logger = logging.getLogger(__name__)


class LazyAssistant:
    """Builds the Assistant on first use, and again after a failure.

    The app therefore starts without an index or a running model server, says what is
    missing, and recovers by itself on the next question once the problem is fixed.
    """

    def __init__(self, settings: Settings, build: Callable[[Settings], Assistant] | None = None) -> None:
        self.settings = settings
        self._build = build
        self._assistant: Assistant | None = None
        self._error: CareerAssistantError | None = None
        self._building = False
        self._warming = False
        self._lock = threading.Lock()
        self.ready_at: float | None = None  # time.time() when the last warm-up finished

    def get(self) -> Assistant:
        """The assistant; builds it (once, under a lock) when there is none yet."""
        assistant = self._assistant
        if assistant is not None:
            return assistant
        with self._lock:
            if self._assistant is not None:
                return self._assistant
            self._building = True
            try:
                build = self._build or _default_build
                self._assistant = build(self.settings)
                self._error = None
                return self._assistant
            except CareerAssistantError as exc:
                self._error = exc
                raise
            except Exception as exc:  # an unexpected failure still becomes a one-line message
                logger.exception("building the assistant failed")
                self._error = BackendUnavailable(
                    f"the assistant could not start ({type(exc).__name__}: {exc})")
                raise self._error from exc
            finally:
                self._building = False

    def reset(self) -> None:
        """Forget the assistant so the next question builds a fresh one (after an index
        rebuild or an unexpected error)."""
        with self._lock:
            self._assistant = None

    def note(self, error: CareerAssistantError | None) -> None:
        """Remember how the last answer went, for the status line (None: it worked)."""
        self._error = error

    def warm_up(self) -> None:
        """Build the assistant and load its models, so the first question is fast.
        Problems are remembered for the status line, never raised."""
        self._warming = True
        try:
            assistant = self.get()
            from assistant.llm import ChatLocalLlama, check_backend

            assistant.warm_up()  # the embedding model, BM25 and the guide sentences quoted for yes/no
            check_backend(assistant.chat_model)  # loads a local model / reaches a server
            if isinstance(assistant.chat_model, ChatLocalLlama):
                _prefill(assistant.chat_model)
        except CareerAssistantError as exc:
            logger.warning("warm-up: %s", exc)
            self._error = exc
        except Exception as exc:
            logger.exception("warm-up failed")
            self._error = BackendUnavailable(f"the assistant could not start ({type(exc).__name__})")
        finally:
            self._warming = False
            self.ready_at = time.time()

    def start_warm_up(self, after: threading.Event | None = None) -> threading.Thread:
        """Warm up in a background thread, once `after` is set (the server is up): the page
        is served first, the models load next."""
        self._warming = True

        def run() -> None:
            if after is not None:
                after.wait(timeout=120)
            self.warm_up()

        thread = threading.Thread(target=run, name="warm-up", daemon=True)
        thread.start()
        return thread

    @property
    def state(self) -> str:
        """"ready", "starting", "failed" or "idle"."""
        if self._building or self._warming:
            return "starting"
        if self._assistant is not None and self._error is None:
            return "ready"
        if self._error is not None:
            return "failed"
        return "idle"

    def status_line(self) -> str:
        """One line of markdown: the model and index in use, or what to do about them."""
        state = self.state
        if state == "starting":
            return _status("busy", "**Starting:** loading the guide's index and the language model…")
        if state == "failed" and isinstance(self._error, IndexMissing):
            if str(self._error).lower().startswith("no index"):
                return _status("warn", "**No index of the guide yet.** Build it with `career-assistant "
                               "ingest` (about 15 s); the app picks it up on your next question.")
            return _status("warn", f"**The index cannot be used:** {md_escape(str(self._error))}. The app "
                           "picks up a rebuilt index on your next question.")
        if state == "failed":
            return _status("warn", f"**Not ready:** {md_escape(str(self._error))}. "
                           "The app tries again on your next question.")
        if state == "idle":
            return _status("busy", "**Idle:** the index and the model load on the first question.")
        assert self._assistant is not None
        return status_text(self._assistant, self.settings)


def status_text(assistant: Assistant, s: Settings) -> str:
    """"Ready · model · embeddings · index size" for a built assistant."""
    try:
        chunks = assistant.search.chunk_count()
    except Exception as exc:
        return _status("warn", f"**The index cannot be read** ({type(exc).__name__}); rebuild it with "
                       "`career-assistant ingest`.")
    if chunks == 0:
        return _status("warn", "**The index is empty.** Build it with `career-assistant ingest`; the app "
                       "picks it up by itself.")
    files = _indexed_files(s)
    where = f"Chroma server {s.chroma_host}:{s.chroma_port}" if s.chroma_host else "local Chroma"
    embeddings = _embedding_name(s)
    docs = f"{chunks} passages" + (f" from {files} guide files" if files else "")
    model = md_escape(assistant.model_name)
    return _status("ok", f"**Ready** · model: {model} · embeddings: {embeddings} · index: {docs} ({where})")


def _prefill(chat_model: Any) -> None:
    """Read the fixed system prompt once and generate one token: llama.cpp keeps that prefix
    cached for every question, and the weights are paged in before the first person asks."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant import prompts

    started = time.perf_counter()
    chat_model.invoke([SystemMessage(prompts.SYSTEM),
                       HumanMessage(prompts.USER.format(sources="", question="Hello"))], max_tokens=1)
    logger.info("prefilled the system prompt in %.1f s", time.perf_counter() - started)


def _default_build(s: Settings) -> Assistant:
    from assistant.chain import build_assistant

    return build_assistant(s)


def _status(kind: str, text: str) -> str:
    return f'<span class="dot dot-{kind}" aria-hidden="true"></span> {text}'


def _indexed_files(s: Settings) -> int | None:
    try:
        from core.store import make_chroma_client

        col = make_chroma_client(s).get_collection(s.collection, embedding_function=None)
        metas = col.get(include=["metadatas"])["metadatas"] or []
        return len({str((m or {}).get("source", "")) for m in metas} - {""})
    except Exception:  # the status line is informative only
        return None


def _embedding_name(s: Settings) -> str:
    try:
        from core.embeddings import embedding_model_id, make_embeddings

        name = embedding_model_id(make_embeddings(s)).split(" (")[0]
        return md_escape(name.rsplit("/", 1)[-1])
    except Exception:
        return s.embedding_backend
