"""Save and load a fitted model as one joblib file with a checksum beside it.

joblib is pickle, and unpickling runs code: so a file is loaded only when the SHA-256
recorded beside it at save time matches its bytes, and the recorded format version is
one this code reads. Anything else is refused with a message saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

from . import __version__
from .model import MoodModel, check_fitted

logger = logging.getLogger(__name__)

FORMAT_NAME = "clusterfy-model"
#: Bump when the saved object's layout changes; older files are then refused.
FORMAT_VERSION = 2


class ArtifactError(RuntimeError):
    """A model file that must not or cannot be loaded; the message says what to do."""


def checksum_path(path: Path) -> Path:
    """Where the checksum record of ``path`` lives."""
    return path.with_name(path.name + ".sha256.json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: MoodModel, path: str | Path) -> Path:
    """Write ``model`` and its checksum record atomically (temp file, then rename).

    A crash mid-save leaves the previous artifact intact rather than half a file.
    """
    check_fitted(model)
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
        os.close(fd)
        joblib.dump({"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "model": model}, tmp)
        record: dict[str, Any] = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "sha256": file_sha256(Path(tmp)),
            "engine_version": __version__,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "songs": int(len(model.labels_)),
            "k": int(model.n_clusters_),
        }
        tmp_record = Path(tmp + ".json")
        tmp_record.write_text(json.dumps(record, indent=2), encoding="utf-8")
        os.replace(tmp, target)
        os.replace(tmp_record, checksum_path(target))
    except OSError as exc:
        raise ArtifactError(f"could not save the model to {target}: {exc.strerror or exc}") from None
    logger.info("saved model to %s (sha256 %s)", target, record["sha256"][:12])
    return target


def read_record(path: Path) -> dict[str, object]:
    """The checksum record beside ``path``, validated for shape."""
    rec_path = checksum_path(path)
    if not rec_path.exists():
        raise ArtifactError(
            f"refusing to load {path}: no checksum record {rec_path.name} beside it "
            "(only models saved by Clusterfy are loaded; rebuild with: python -m engine fit)"
        )
    try:
        record = json.loads(rec_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        raise ArtifactError(
            f"refusing to load {path}: its checksum record is unreadable; rebuild with: python -m engine fit"
        ) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT_NAME:
        raise ArtifactError(f"refusing to load {path}: not a Clusterfy model record")
    return record


def load_model(path: str | Path) -> MoodModel:
    """Load a model saved by :func:`save_model`, verifying format and SHA-256 first."""
    p = Path(path)
    if not p.is_file():
        raise ArtifactError(f"no model file at {p} (build one with: python -m engine fit)")
    record = read_record(p)
    version = record.get("format_version")
    if version != FORMAT_VERSION:
        raise ArtifactError(
            f"refusing to load {p}: it has model format v{version}, this Clusterfy reads "
            f"v{FORMAT_VERSION}; rebuild it with: python -m engine fit"
        )
    try:
        actual = file_sha256(p)
    except OSError as exc:
        raise ArtifactError(f"could not read {p}: {exc.strerror or exc}") from None
    if actual != record.get("sha256"):
        raise ArtifactError(
            f"refusing to load {p}: its SHA-256 does not match the record (the file is "
            "corrupt or was modified); rebuild it with: python -m engine fit"
        )
    try:
        payload = joblib.load(p)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means "unusable file"
        raise ArtifactError(
            f"could not load {p}: {type(exc).__name__}; rebuild it with: python -m engine fit"
        ) from None
    if (
        not isinstance(payload, dict)
        or payload.get("format_version") != FORMAT_VERSION
        or not isinstance(payload.get("model"), MoodModel)
    ):
        raise ArtifactError(f"refusing to use {p}: it does not hold a Clusterfy model")
    model: MoodModel = payload["model"]
    check_fitted(model)
    return model
