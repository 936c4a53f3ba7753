"""What a chat model is and whether it can answer: a description, a reachability check, and
backend failures (connection, timeout, HTTP status, bad JSON) as one-line BackendUnavailable."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from assistant.fakes import CitingFakeChatModel, ScriptedChatModel
from assistant.llamacpp import ChatLocalLlama, one_line
from core.errors import BackendUnavailable

DEFAULT_OLLAMA_MODEL = "qwen2.5:1.5b"
DEFAULT_OPENAI_MODEL = "default"
_CHECK_TIMEOUT_S = 5.0


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
        message = _openai_message(exc, openai, chat_model, too_slow)
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
            message = f"{where} failed (HTTP {exc.status_code}): {one_line(exc.error)}"
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


def _openai_message(exc: Any, openai: Any, chat_model: BaseChatModel, too_slow: str) -> str | None:
    """The message for an error of the openai client, or None for one not worth translating."""
    where = _server_name(chat_model)
    if isinstance(exc, openai.APITimeoutError):
        return too_slow
    if isinstance(exc, openai.APIConnectionError):
        return f"{where} is unreachable: {_start_hint(chat_model)}"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return _rejected_key_message(chat_model)
    if isinstance(exc, openai.NotFoundError):
        model = getattr(chat_model, "model_name", "?")
        return (
            f"{where} has no model {model!r} (HTTP 404): "
            "check CAREER_LLM_MODEL and CAREER_OPENAI_BASE_URL"
        )
    if isinstance(exc, openai.RateLimitError):
        return f"{where} is rate limiting requests (HTTP 429): try again later"
    if isinstance(exc, openai.APIStatusError):
        return f"{where} failed (HTTP {exc.status_code}): check the server's log"
    if isinstance(exc, openai.APIResponseValidationError):
        return f"{where} sent a response that is not valid: {_garbage_hint()}"
    return None


def _garbage_hint() -> str:
    return "check that CAREER_OPENAI_BASE_URL points at an OpenAI-compatible server"
