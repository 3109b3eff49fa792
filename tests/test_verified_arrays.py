"""Issue 24: a start trusts array files a past start checked, and only those.

Hashing every mapped file at every start was half of a start at a million songs. The stamp
beside the files (engine.storage.verified) lets a later start skip reading them, but a file
changed in any way since (bytes, a copy, a replacement) must be hashed, and refused when
wrong, as before. On an artifact of the real bundled catalog.
"""

from __future__ import annotations

import json
import mmap
import time
from pathlib import Path

import pytest

from engine.model import MoodModel
from engine.service import Engine
from engine.storage import serving, verified
from engine.storage.artifact import ArtifactError, checksum_path, copy_artifact, load_served, save_model


@pytest.fixture(scope="module")
def saved(model: MoodModel, tmp_path_factory) -> Path:
    return save_model(model, tmp_path_factory.mktemp("verified") / "model.joblib")


def arrays_dir(path: Path) -> Path:
    record = json.loads(checksum_path(path).read_text(encoding="utf-8"))
    return path.parent / record["arrays"]["dir"]


def age_stamp(path: Path, seconds: float = 5.0) -> None:
    """Pretend the stamp was written ``seconds`` after the check it records (a later start),
    so the files it names are past the racy window."""
    stamp = arrays_dir(path) / verified.STAMP_NAME
    body = json.loads(stamp.read_text(encoding="utf-8"))
    body["written_ns"] += int(seconds * 1e9)
    stamp.write_text(json.dumps(body), encoding="utf-8")


class HashCount:
    """Counts the mapped array files a load hashes (small files are read and hashed
    every time: they cost nothing)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files = 0
        real = serving.hashlib.sha256

        def counting(data=b""):
            self.files += isinstance(data, mmap.mmap)
            return real(data)

        monkeypatch.setattr(serving.hashlib, "sha256", counting)


def test_a_later_start_reads_no_array_file_and_answers_the_same(
    saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    target = copy_artifact(saved, tmp_path / "model.joblib")
    first = HashCount(monkeypatch)
    engine = Engine(load_served(target))
    assert first.files > 20  # a first start checks every mapped file
    assert (arrays_dir(target) / verified.STAMP_NAME).is_file()
    age_stamp(target)
    later = HashCount(monkeypatch)
    again = Engine(load_served(target))
    assert later.files == 0
    seed = engine.recommender.ids[7]
    assert again.recommend(seed).picks == engine.recommend(seed).picks


def test_a_file_changed_after_it_was_stamped_is_hashed_and_refused(saved: Path, tmp_path: Path):
    target = copy_artifact(saved, tmp_path / "model.joblib")
    load_served(target)
    age_stamp(target)
    load_served(target)  # trusted now
    time.sleep(0.02)  # past a tick of the kernel's file clock
    victim = arrays_dir(target) / "rec.vectors_t.0.npy"
    data = bytearray(victim.read_bytes())
    data[-3] ^= 0x01  # same size, one bit
    victim.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=r"rec\.vectors_t\.0\.npy does not match its SHA-256"):
        load_served(target)


def test_a_stamp_never_vouches_for_a_file_it_did_not_see(
    saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A copy of the folder (new inodes), a stamp written right after the files (racily
    clean) and a broken stamp: every file is hashed."""
    target = copy_artifact(saved, tmp_path / "model.joblib")
    load_served(target)
    count = HashCount(monkeypatch)
    load_served(target)  # stamp written within a second of the files: not trusted yet
    assert count.files > 20
    age_stamp(target)
    moved = copy_artifact(target, tmp_path / "moved" / "model.joblib")
    count.files = 0
    load_served(moved)
    assert count.files > 20
    (arrays_dir(target) / verified.STAMP_NAME).write_text("{not json", encoding="utf-8")
    count.files = 0
    load_served(target)
    assert count.files > 20


def test_a_read_only_folder_still_loads(saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = copy_artifact(saved, tmp_path / "model.joblib")

    def refuse(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(verified.tempfile, "mkstemp", refuse)
    engine = Engine(load_served(target))
    assert engine.recommend(engine.recommender.ids[0]).picks
    assert not (arrays_dir(target) / verified.STAMP_NAME).exists()
