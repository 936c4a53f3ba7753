"""Settings: the only place the environment (and a .env file) is read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigError

# Offline by default: without these a hub-name load retries for ~70 s and
# gradio/huggingface send telemetry. Applied by apply_offline_env(), never at import.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


class Settings(BaseSettings):
    """Every knob of the assistant, read from `CAREER_*` variables or `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="CAREER_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # Paths
    data_dir: Path = Path("data")
    corpus_dir: Path = Path("corpus")
    chroma_dir: Path | None = None  # default: <data_dir>/chroma

    # Vector store
    chroma_host: str | None = None  # set to use a Chroma server instead of a local folder
    chroma_port: int = 8000
    collection: str = "career_guide"

    # Embeddings
    embedding_backend: Literal["local", "keyword"] = "local"

    # LLM
    llm_backend: Literal["local", "openai", "ollama", "fake"] = "local"
    local_model: Literal["1.5b", "0.5b"] = "1.5b"
    llm_model: str = ""  # model name for openai / ollama backends
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_api_key: SecretStr = SecretStr("not-needed")
    ollama_base_url: str = "http://127.0.0.1:11434"
    llm_timeout_s: float = 60.0
    llm_threads: int = 2
    llm_max_tokens: int = 200
    llm_temperature: float = 0.0
    fallback: Literal["extractive", "none"] = "extractive"
    # Yes/no questions: "quote" answers with the guide's deciding passages (the local 1.5B says
    # "Yes" to most of them whatever the guide says); "model" lets a stronger model give a verdict.
    yes_no_answers: Literal["quote", "model"] = "quote"

    # Retrieval
    context_tokens: int = 700
    top_k: int = 4
    # Calibrated on evals/datasets (see evals/calibrate.py); a cosine similarity.
    relevance_threshold: float = 0.30

    # Web app
    host: str = "127.0.0.1"
    port: int = 7860
    auth_user: str | None = None
    auth_password: SecretStr | None = None
    max_question_chars: int = 2000
    concurrency: int = 2

    @field_validator("context_tokens", "top_k", "llm_threads", "llm_max_tokens", "port", "concurrency")
    @classmethod
    def _positive(cls, v: int) -> int:
        if v <= 0:
            raise ValueError("must be a positive integer")
        return v

    @field_validator("llm_timeout_s")
    @classmethod
    def _seconds(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("must be a positive number of seconds")
        return v

    @field_validator("port", "chroma_port")
    @classmethod
    def _port(cls, v: int) -> int:
        if not 1 <= v <= 65535:
            raise ValueError("must be a port number from 1 to 65535")
        return v

    @property
    def chroma_path(self) -> Path:
        return self.chroma_dir or self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def feedback_db(self) -> Path:
        return self.data_dir / "feedback.sqlite3"


def load_settings(**overrides: object) -> Settings:
    """Build Settings, turning validation errors into a one-line ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def quiet_url_loggers() -> None:
    """HTTP clients log every request URL at INFO, and a URL may carry a key (user:KEY@host)."""
    import logging

    for name in ("httpx", "httpx2", "httpcore", "httpcore2", "openai._base_client"):
        logging.getLogger(name).setLevel(logging.WARNING)


def apply_offline_env() -> None:
    """Keep Hugging Face, Chroma and Gradio from reaching the network."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err["loc"] else "?"
    env = f"CAREER_{name.upper()}"
    ctx = err.get("ctx") or {}
    if "expected" in ctx:
        return f"invalid setting {env}={err.get('input')!r}: expected {ctx['expected']}"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"invalid setting {env}={err.get('input')!r}: {message}"
