"""Chat models: one built per backend from Settings (the only place a backend is chosen).

The pieces live beside this module: gguf.py (the local model's file), llamacpp.py (the
llama.cpp chat model), backends.py (descriptions, checks and one-line errors) and fakes.py
(the `fake` backend and a scripted model for tests). Their public names are re-exported here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from langchain_core.language_models import BaseChatModel

from assistant import prompts
from assistant.backends import (
    DEFAULT_OLLAMA_MODEL,
    DEFAULT_OPENAI_MODEL,
    backend_errors,
    check_backend,
    model_info,
    stream_text,
)
from assistant.fakes import NO_SOURCE_REPLY, CitingFakeChatModel, ScriptedChatModel
from assistant.gguf import LOCAL_MODELS, GGUFSpec, assemble_gguf, local_spec
from assistant.llamacpp import (
    _LLAMAS,
    N_BATCH,
    N_CTX,
    ChatLocalLlama,
    _KVSnapshot,
    _TokenCounter,
    import_llama_cpp,
    llama_kwargs,
    shared_prefix_length,
)
from core.errors import BackendUnavailable, ConfigError

if TYPE_CHECKING:
    from core.settings import Settings

__all__ = [
    "DEFAULT_OLLAMA_MODEL", "DEFAULT_OPENAI_MODEL", "LLM_BACKENDS", "LOCAL_MODELS", "NO_SOURCE_REPLY",
    "N_BATCH", "N_CTX", "_LLAMAS", "ChatLocalLlama", "CitingFakeChatModel", "GGUFSpec", "ScriptedChatModel",
    "_KVSnapshot", "_TokenCounter", "assemble_gguf", "backend_errors", "check_backend", "llama_kwargs",
    "make_chat_model", "model_info", "shared_prefix_length", "stream_text",
]

logger = logging.getLogger(__name__)

LLM_BACKENDS = ("local", "openai", "ollama", "fake")


def make_chat_model(s: Settings) -> BaseChatModel:
    """Build the chat model that `s.llm_backend` names. Nothing is loaded or contacted here;
    the local backend only assembles and verifies its GGUF the first time (about 6 s, once)."""
    match s.llm_backend:
        case "local":
            spec = local_spec(s)
            import_llama_cpp()  # fail fast, before assembling a 1 GB file for nothing
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
