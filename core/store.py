"""The Chroma vector store: a local folder by default, a Chroma server when configured."""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.embeddings import Embeddings

from core.embeddings import embedding_model_id
from core.errors import BackendUnavailable, IndexMissing
from core.settings import Settings, apply_offline_env

logger = logging.getLogger(__name__)

MODEL_KEY = "embedding_model"


def make_chroma_client(s: Settings) -> Any:
    """A chromadb client: HttpClient when CAREER_CHROMA_HOST is set, else a PersistentClient."""
    apply_offline_env()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if s.chroma_host:
        try:
            client = chromadb.HttpClient(host=s.chroma_host, port=s.chroma_port, settings=chroma_settings)
            client.heartbeat()
        except Exception as exc:  # chromadb raises several types for a refused connection
            raise BackendUnavailable(
                f"Chroma server at {s.chroma_host}:{s.chroma_port} is unreachable "
                f"({type(exc).__name__}): start it with `chroma run --path DIR --host "
                f"{s.chroma_host} --port {s.chroma_port}` or unset CAREER_CHROMA_HOST"
            ) from None
        return client
    path = s.chroma_path
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise IndexMissing(
            f"the index folder {path} cannot be opened ({type(exc).__name__}: "
            f"{_first_line(exc)}); rebuild it with `career-assistant ingest --reset`"
        ) from None


def get_collection(client: Any, s: Settings, embeddings: Embeddings, *, create: bool) -> Any:
    """The guide's collection, refusing one built by another embedding model."""
    model_id = embedding_model_id(embeddings)
    try:
        if create:
            col = client.get_or_create_collection(
                s.collection, metadata={"hnsw:space": "cosine", MODEL_KEY: model_id},
                embedding_function=None,
            )
        else:
            col = client.get_collection(s.collection, embedding_function=None)
        col.count()  # a damaged index fails here, not later in the middle of a query
    except Exception as exc:
        if not create and _is_not_found(exc):
            raise IndexMissing(_missing_message(s)) from None
        raise IndexMissing(
            f"the index cannot be read ({type(exc).__name__}: {_first_line(exc)}); "
            "rebuild it with `career-assistant ingest --reset`"
        ) from None
    built_with = (col.metadata or {}).get(MODEL_KEY)
    if built_with != model_id:
        raise IndexMissing(
            f"the index was built with embedding model {built_with!r} but the assistant is using "
            f"{model_id!r}; rebuild it with `career-assistant ingest --reset`"
        )
    return col


def reset_local_folder(s: Settings) -> str | None:
    """For `ingest --reset`: if the local index folder cannot be opened, move it aside.

    The folder is renamed, never deleted, so nothing is lost. Returns a note for the user.
    """
    if s.chroma_host or not s.chroma_path.exists():
        return None
    try:
        client = make_chroma_client(s)
        for col in client.list_collections():
            client.get_collection(getattr(col, "name", col), embedding_function=None).count()
        return None
    except Exception:
        import time

        aside = s.chroma_path.with_name(f"{s.chroma_path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        s.chroma_path.rename(aside)
        _forget_cached_clients()
        return f"the index folder could not be opened; moved it to {aside} and built a new one"


def delete_collection(client: Any, s: Settings) -> None:
    try:
        client.delete_collection(s.collection)
    except Exception as exc:
        if not _is_not_found(exc):
            raise


def count_chunks(client: Any, s: Settings) -> int | None:
    """How many chunks are indexed, or None when there is no index."""
    try:
        return client.get_collection(s.collection, embedding_function=None).count()
    except Exception:
        return None


def _forget_cached_clients() -> None:
    # chromadb caches one System per path; a moved folder must not be reused.
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:  # older/newer chromadb: nothing cached to clear
        pass


def _missing_message(s: Settings) -> str:
    where = f"Chroma server {s.chroma_host}:{s.chroma_port}" if s.chroma_host else str(s.chroma_path)
    return f"no index of the guide in {where}: build it with `career-assistant ingest`"


def _is_not_found(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "notfound" in text or "does not exist" in text or "not found" in text


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]
