"""Saving and loading models: round trips, refusals of unsafe files, the model cache.

A model file is a pickle and unpickling runs code, so every way a file can be wrong
(changed, truncated, unrecorded, old, forged) must be refused before unpickling where
possible, with an ArtifactError that says what to do, and without touching the file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

import engine.storage.model_cache as model_cache
from engine.catalog import CatalogError
from engine.model import MoodModel, NotFittedError
from engine.paths import STUDY_SAMPLE_FILE, cached_model_path
from engine.storage.artifact import (
    ArtifactError,
    checksum_path,
    copy_artifact,
    file_sha256,
    load_model,
    save_model,
)
from engine.storage.format import FORMAT_NAME, FORMAT_VERSION
from engine.storage.verified import STAMP_NAME


def quiet(_msg: str) -> None:
    """Progress sink."""


@pytest.fixture(scope="module")
def saved(model: MoodModel, tmp_path_factory) -> Path:
    """A model saved once; tests copy it before doing anything to it."""
    return save_model(model, tmp_path_factory.mktemp("saved") / "model.joblib")


@pytest.fixture()
def copy(saved: Path, tmp_path: Path) -> Path:
    return copy_artifact(saved, tmp_path / "model.joblib")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` (the arrays folder too) with its bytes and mtime; not
    the note of which files a load already checked (engine.storage.verified), which a load
    writes beside the arrays without touching them."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != STAMP_NAME
    }


def assert_refused(path: Path, *fragments: str) -> str:
    """Loading ``path`` raises ArtifactError naming ``fragments`` and changes no file."""
    before = snapshot(path.parent)
    with pytest.raises(ArtifactError) as info:
        load_model(path)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message
    assert snapshot(path.parent) == before  # refusing never modifies (or deletes) anything
    return message


def write_record(path: Path, **changes: object) -> None:
    rec = json.loads(checksum_path(path).read_text(encoding="utf-8"))
    rec.update(changes)
    checksum_path(path).write_text(json.dumps(rec), encoding="utf-8")


# -- round trip ---------------------------------------------------------------------------
def test_round_trip_keeps_labels_and_moods(model: MoodModel, copy: Path):
    loaded = load_model(copy)
    assert loaded is not model
    np.testing.assert_array_equal(loaded.labels_, model.labels_)
    assert loaded.moods_ == model.moods_
    assert loaded.summary() == model.summary()
    np.testing.assert_array_equal(loaded.unit_vectors_, model.unit_vectors_)
    np.testing.assert_array_equal(loaded.order_, model.order_)
    assert loaded.metrics_ == model.metrics_
    np.testing.assert_array_equal(loaded.predict(model.songs_.head(50)), model.labels_[:50])
    pd.testing.assert_frame_equal(loaded.songs_, model.songs_)


def test_save_writes_a_matching_record_and_no_temp_files(model: MoodModel, tmp_path: Path):
    target = save_model(model, tmp_path / "sub" / "dir" / "m.joblib")
    assert target.is_file()
    record = json.loads(checksum_path(target).read_text(encoding="utf-8"))
    assert record["format"] == FORMAT_NAME and record["format_version"] == FORMAT_VERSION
    assert record["sha256"] == file_sha256(target)
    assert record["songs"] == 3096 and record["k"] == 4
    # issue 13: the arrays and the song table live in one folder beside it, each file checksummed
    names = sorted(p.name for p in target.parent.iterdir())
    assert (
        names[0] == "m.joblib"
        and names[1].startswith("m.joblib.arrays-")
        and names[2:] == ["m.joblib.sha256.json"]
    )
    folder = target.parent / record["arrays"]["dir"]
    assert folder.name == names[1]
    listed = {e["file"] for e in record["arrays"]["files"].values()} | {record["song_table"]["file"]}
    assert listed == {p.name for p in folder.iterdir()}
    for entry in [*record["arrays"]["files"].values(), record["song_table"]]:
        assert file_sha256(folder / entry["file"]) == entry["sha256"]


def test_saving_again_replaces_both_files(model: MoodModel, copy: Path):
    old_sha = file_sha256(copy)
    other = MoodModel(3).fit(model.songs_.head(400), progress=quiet)
    save_model(other, copy)
    assert file_sha256(copy) != old_sha
    assert load_model(copy).n_clusters_ == 3
    # the previous arrays folder is gone: one artifact, one folder
    assert len(list(copy.parent.glob(copy.name + ".arrays-*"))) == 1


def test_an_unfitted_model_is_not_saved(tmp_path: Path):
    with pytest.raises(NotFittedError):
        save_model(MoodModel(4), tmp_path / "m.joblib")
    assert list(tmp_path.iterdir()) == []


def test_saving_where_nothing_can_be_written_raises_artifact_error(model: MoodModel, tmp_path: Path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ArtifactError, match="could not save the model"):
        save_model(model, blocker / "m.joblib")


# -- refusals ---------------------------------------------------------------------------------
def test_a_flipped_byte_is_refused(copy: Path):
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    assert_refused(copy, "SHA-256", "python -m engine fit")


def test_a_truncated_file_is_refused(copy: Path):
    copy.write_bytes(copy.read_bytes()[: copy.stat().st_size // 2])
    assert_refused(copy, "SHA-256")


def test_a_truncated_file_with_a_matching_record_fails_cleanly(copy: Path):
    copy.write_bytes(copy.read_bytes()[:4096])
    write_record(copy, sha256=file_sha256(copy))
    assert_refused(copy, "could not load", "rebuild")


def test_a_missing_checksum_record_is_refused(copy: Path):
    checksum_path(copy).unlink()
    assert_refused(copy, "no checksum record", checksum_path(copy).name)


def test_an_unreadable_checksum_record_is_refused(copy: Path):
    checksum_path(copy).write_bytes(b"\xff\xfe{ not json")
    assert_refused(copy, "checksum record is unreadable")


def test_a_record_of_something_else_is_refused(copy: Path):
    write_record(copy, format="someone-elses-model")
    assert_refused(copy, "not a Clusterfy model record")


def test_an_older_format_version_is_refused(copy: Path):
    write_record(copy, format_version=0)
    assert_refused(copy, "format v0", f"reads v{FORMAT_VERSION}", "rebuild")


def test_a_newer_format_version_is_refused(copy: Path):
    write_record(copy, format_version=FORMAT_VERSION + 1)
    assert_refused(copy, f"format v{FORMAT_VERSION + 1}")


@pytest.mark.parametrize(
    "payload",
    [
        {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "model": "not a model"},
        {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "model": {"labels_": [0, 1]}},
        ["just", "a", "list"],
        np.arange(10),
    ],
    ids=["string-model", "dict-model", "list", "array"],
)
def test_a_non_model_pickle_with_a_forged_record_is_refused(payload, tmp_path: Path):
    path = tmp_path / "forged.joblib"
    joblib.dump(payload, path)
    checksum_path(path).write_text(
        json.dumps(
            {
                "format": FORMAT_NAME,
                "format_version": FORMAT_VERSION,
                "sha256": file_sha256(path),
            }
        ),
        encoding="utf-8",
    )
    assert_refused(path, "does not hold a Clusterfy model")


def test_a_missing_model_file_is_refused(tmp_path: Path):
    with pytest.raises(ArtifactError, match="no model file"):
        load_model(tmp_path / "nothing.joblib")
    with pytest.raises(ArtifactError, match="no model file"):
        load_model(tmp_path)  # a folder is not a model file either


# -- obtain_model and the cache ----------------------------------------------------------------
@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLUSTERFY_CACHE_DIR", str(folder))
    # The study sample alone (the default catalog is the bundled union; these tests pin its figures).
    monkeypatch.setenv("CLUSTERFY_CATALOG", str(STUDY_SAMPLE_FILE))
    return folder


@pytest.fixture(scope="module")
def small_catalog(tmp_path_factory) -> Path:
    """400 real rows of the bundled file, so cache tests build quickly."""
    raw = pd.read_csv(STUDY_SAMPLE_FILE, dtype=str, keep_default_na=False)
    path = tmp_path_factory.mktemp("catalog") / "small.csv"
    raw.iloc[::8].to_csv(path, index=False)
    return path


class Spy:
    """Counts calls to a real function and passes them through."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


def test_obtain_model_builds_once_then_loads_the_cache(cache: Path, monkeypatch, model: MoodModel):
    said: list[str] = []
    first = model_cache.obtain_model(progress=said.append)  # the bundled catalog by default
    cached = cached_model_path(STUDY_SAMPLE_FILE, 4)
    assert cached.parent == cache and cached.is_file() and checksum_path(cached).is_file()
    assert any("building it from the catalog" in m for m in said)
    assert first.cleaning_report_.rows_kept == 3096
    np.testing.assert_array_equal(first.labels_, model.labels_)
    stamp = (cached.stat().st_mtime_ns, file_sha256(cached))

    load_spy = Spy(model_cache.load_model)
    monkeypatch.setattr(model_cache, "load_model", load_spy)

    def must_not_build(*_a, **_k):
        raise AssertionError("the cached model should have been loaded, not rebuilt")

    monkeypatch.setattr(model_cache, "build_model", must_not_build)
    said.clear()
    second = model_cache.obtain_model(progress=said.append)
    assert load_spy.calls == 1
    assert any("loading cached model" in m for m in said)
    assert (cached.stat().st_mtime_ns, file_sha256(cached)) == stamp  # not rewritten
    np.testing.assert_array_equal(second.labels_, first.labels_)
    assert second.moods_ == first.moods_
    # issue 13: beside the file, its record, its arrays folder and the lock builders share
    folder = json.loads(checksum_path(cached).read_text(encoding="utf-8"))["arrays"]["dir"]
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [cached.name, checksum_path(cached).name, folder, cached.name + ".lock"]
    )


def test_cache_is_keyed_by_catalog_content_and_k(cache: Path, small_catalog: Path, tmp_path: Path):
    catalog = tmp_path / "mine.csv"
    shutil.copy2(small_catalog, catalog)
    m4 = model_cache.obtain_model(catalog, progress=quiet)
    m3 = model_cache.obtain_model(catalog, k=3, progress=quiet)
    assert (m4.n_clusters_, m3.n_clusters_) == (4, 3)
    path4, path3 = cached_model_path(catalog, 4), cached_model_path(catalog, 3)
    assert path4 != path3 and path4.is_file() and path3.is_file()
    # Editing the catalog changes its fingerprint: a new model is built, not the stale one served.
    raw = pd.read_csv(catalog, dtype=str, keep_default_na=False)
    raw.iloc[:-20].to_csv(catalog, index=False)
    assert cached_model_path(catalog, 4) != path4
    fresh = model_cache.obtain_model(catalog, progress=quiet)
    assert len(fresh.labels_) == len(m4.labels_) - 20
    assert cached_model_path(catalog, 4).is_file()


def test_explicit_model_path_is_built_then_loaded_never_overwritten(
    cache: Path, small_catalog: Path, tmp_path: Path, monkeypatch
):
    target = tmp_path / "models" / "clusterfy.joblib"
    built = model_cache.obtain_model(small_catalog, model_path=target, progress=quiet)
    assert target.is_file() and not cache.exists()  # explicit path: the cache is not used
    before = snapshot(target.parent)
    monkeypatch.setattr(model_cache, "build_model", lambda *a, **k: pytest.fail("rebuilt"))
    again = model_cache.obtain_model(small_catalog, model_path=target, k=6, progress=quiet)
    assert again.n_clusters_ == built.n_clusters_ == 4  # the file wins over the k asked
    assert snapshot(target.parent) == before


def test_obtain_model_with_a_missing_catalog_raises_catalog_error(cache: Path, tmp_path: Path):
    missing = tmp_path / "no_such_catalog.csv"
    with pytest.raises(CatalogError, match="catalog file not found"):
        model_cache.obtain_model(missing, progress=quiet)
    with pytest.raises(CatalogError, match="not found"):
        model_cache.obtain_model(missing, model_path=tmp_path / "m.joblib", progress=quiet)
    assert not (tmp_path / "m.joblib").exists()
    assert not cache.exists() or list(cache.iterdir()) == []


def test_obtain_model_reads_clusterfy_catalog(cache: Path, small_catalog: Path, monkeypatch):
    monkeypatch.setenv("CLUSTERFY_CATALOG", str(small_catalog))
    got = model_cache.obtain_model(progress=quiet)
    assert got.cleaning_report_.source == small_catalog.name
    assert cached_model_path(small_catalog, 4).is_file()


def test_a_tampered_cached_model_is_never_served(cache: Path, small_catalog: Path):
    """Refusing (today) or rebuilding are both fine; unpickling the changed bytes is not."""
    model_cache.obtain_model(small_catalog, progress=quiet)
    cached = cached_model_path(small_catalog, 4)
    data = bytearray(cached.read_bytes())
    data[-100] ^= 0xFF
    cached.write_bytes(bytes(data))
    try:
        model_cache.obtain_model(small_catalog, progress=quiet)
    except ArtifactError as exc:
        assert "SHA-256" in str(exc)
        assert cached.read_bytes() == bytes(data)
    else:  # rebuilt: the cache now holds a valid model again
        assert cached.read_bytes() != bytes(data)
        assert load_model(cached).n_clusters_ == 4


def test_processes_sharing_a_cache_build_the_model_once(small_catalog: Path, tmp_path: Path):
    """Issue 13: bot processes sharing one cache start together; one builds, the others load."""
    code = (
        "import sys\n"
        "from engine.storage.model_cache import obtain_model\n"
        "obtain_model(sys.argv[1], progress=lambda m: print(m, flush=True))\n"
    )
    env = {
        **os.environ,
        "CLUSTERFY_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(small_catalog)], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0]
    assert sum("building it from the catalog" in out for out in outs) == 1
    assert sum("another process just built" in out or "loading cached model" in out for out in outs) == 2
    cached = tmp_path / "cache" / cached_model_path(small_catalog, 4).name
    assert len(list(cached.parent.glob(cached.name + ".arrays-*"))) == 1
    load_model(cached)
