"""Issue 13: the serving arrays saved with the artifact, mapped from disk, answering as built ones.

Every bot process maps the same .npy files instead of building its own copy and never reads
the song table, so a mapped engine must give the same answers as one built from the
catalog, a changed file must be refused like a changed pickle, and nothing may write into
the shared pages. All on the real bundled catalog.
"""

from __future__ import annotations

import json
import mmap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.model import MoodModel
from engine.parts import ServingParts
from engine.served import SMALL_ARRAYS
from engine.service import Engine
from engine.storage.artifact import (
    ArtifactError,
    checksum_path,
    copy_artifact,
    load_model,
    save_model,
)
from engine.storage.columns import IdIndex, TextColumn, TupleColumn
from engine.storage.format import FORMAT_VERSION
from engine.storage.serving import MAP_MIN_BYTES, MODEL_ARRAYS, serving_of


@pytest.fixture(scope="module")
def saved(model: MoodModel, tmp_path_factory) -> Path:
    return save_model(model, tmp_path_factory.mktemp("serving") / "model.joblib")


@pytest.fixture(scope="module")
def mapped(saved: Path) -> Engine:
    """An engine over the loaded artifact: its arrays are the mapped files."""
    return Engine(load_model(saved))


@pytest.fixture(scope="module")
def built(model: MoodModel) -> Engine:
    """An engine built from the fitted model and its song table, as before issue 13."""
    fresh = MoodModel(4).fit(model.songs_, progress=lambda _m: None)
    assert serving_of(fresh) is None
    return Engine(fresh)


def arrays_dir(saved: Path) -> Path:
    record = json.loads(checksum_path(saved).read_text(encoding="utf-8"))
    return saved.parent / record["arrays"]["dir"]


def is_mapped(arr: np.ndarray) -> bool:
    """A read-only view of a file map (not a copy in the process's own memory)."""
    base = arr
    while isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, mmap.mmap) and not arr.flags.writeable


# -- round trip ------------------------------------------------------------------------
def test_every_array_round_trips_through_save_and_load(model: MoodModel, saved: Path):
    fresh = ServingParts.build(model).arrays()
    loaded = load_model(saved)
    serving = serving_of(loaded)
    assert serving is not None and serving.n_songs == len(model.labels_) == 3096
    assert sorted(serving.arrays) == sorted(fresh.arrays)
    for name, arr in fresh.arrays.items():
        assert serving.arrays[name].dtype == arr.dtype, name
        if ".neighbours." in name:
            # Float32 scores from BLAS differ in their last bits between builds (threads,
            # kernels), so near-tied neighbours may swap; answers do not depend on it
            # (tests/test_neighbour_table.py checks pages from the loaded tables).
            if arr.dtype == np.float32:
                np.testing.assert_allclose(serving.arrays[name], arr, atol=1e-6, err_msg=name)
            else:
                assert (serving.arrays[name] == arr).mean() > 0.99, name
            continue
        np.testing.assert_array_equal(serving.arrays[name], arr, err_msg=name)
    for attr in MODEL_ARRAYS:
        np.testing.assert_array_equal(getattr(loaded, attr), getattr(model, attr), err_msg=attr)
    record = json.loads(checksum_path(saved).read_text(encoding="utf-8"))
    assert record["format_version"] == FORMAT_VERSION == 8
    assert set(record["arrays"]["files"]) == set(fresh.arrays) | {f"model.{a}" for a in MODEL_ARRAYS} | {
        f"served.{a}" for a in SMALL_ARRAYS
    }


def test_the_engine_serves_from_the_mapped_files_read_only(mapped: Engine):
    rec, res = mapped.recommender, mapped.resolver
    for arr in (
        rec.X_,
        rec.group_,
        rec._vectors_t[0],
        max(rec._typical_order, key=len),
        mapped.model.unit_vectors_,
        mapped.table.numbers,
        mapped.table.ids.utf8,
        mapped.table.row_of_id.order,
        res._rank_order,
        res._titles._postings,
        res._titles.keys.utf8,
        mapped.word_search._zt,
    ):
        assert is_mapped(arr)
        with pytest.raises(ValueError):
            arr[0] = arr[0]
    # the few tiny arrays are read, not mapped (a map costs a page anyway): read-only too
    serving = serving_of(mapped.model)
    assert serving is not None
    for name, arr in serving.arrays.items():
        assert not arr.flags.writeable, name
        assert is_mapped(arr) or arr.nbytes < MAP_MIN_BYTES, name


def test_serving_never_reads_the_song_table(saved: Path, model: MoodModel):
    engine = Engine(load_model(saved))
    engine.recommend("la java")
    engine.recommend("la java energy>0.5 year<1990")
    engine.vibe("chill", 5)
    engine.vibe("sad but danceable", 5)
    engine.cluster_report("la java")
    engine.complete_song("la ja")
    engine.search("mistinguet")
    assert "songs_" not in vars(engine.model)  # still on disk
    # asked for, it is read (and checked) then: the same table
    pd.testing.assert_frame_equal(engine.model.songs_, model.songs_)
    assert "songs_" in vars(engine.model)


def test_a_mapped_engine_recommends_exactly_like_a_built_one(mapped: Engine, built: Engine):
    for seed in range(0, 3096, 97):
        for page in (0, 1):
            a = mapped.recommend(seed, 10, page=page)
            b = built.recommend(seed, 10, page=page)
            assert [(p.song.id, p.score, p.reason) for p in a.picks] == [
                (p.song.id, p.score, p.reason) for p in b.picks
            ]
            assert a.seed == b.seed
    a = mapped.recommend(5, 10, where="energy>0.6 year 1990-2010")
    b = built.recommend(5, 10, where="energy>0.6 year 1990-2010")
    assert a.picks and [p.song.id for p in a.picks] == [p.song.id for p in b.picks]


def test_a_mapped_engine_vibes_and_searches_exactly_like_a_built_one(mapped: Engine, built: Engine):
    for mood in mapped.moods:
        for text in (mood.key, "sad danceable"):
            a, b = mapped.vibe(text, 10, seed=7), built.vibe(text, 10, seed=7)
            assert a.picks and [p.song.id for p in a.picks] == [p.song.id for p in b.picks]
    songs = built.model.songs_
    queries = [*songs["name"].head(30), "bohemian rapsody", "beatles", "love", "xq", "", "édith piaf"]
    for q in queries:
        ra, rb = mapped.search(q), built.search(q)
        assert ra.status == rb.status
        assert [(c.index, c.score) for c in (*ra.candidates, *ra.suggestions)] == [
            (c.index, c.score) for c in (*rb.candidates, *rb.suggestions)
        ]
        assert mapped.complete_song(q[:4]) == built.complete_song(q[:4])
    assert mapped.cluster_report(12) == built.cluster_report(12)


# -- refusals ------------------------------------------------------------------------------
def test_a_tampered_array_file_is_refused(saved: Path, tmp_path: Path):
    target = copy_artifact(saved, tmp_path / "model.joblib")
    load_model(target)  # the copy itself loads
    victim = arrays_dir(target) / "rec.vectors_t.0.npy"
    data = bytearray(victim.read_bytes())
    data[-3] ^= 0x01  # same size, one bit of one ranking vector
    victim.write_bytes(bytes(data))
    with pytest.raises(ArtifactError) as info:
        load_model(target)
    message = str(info.value)
    assert "rec.vectors_t.0.npy" in message and "SHA-256" in message
    assert "rebuild it with: python -m engine fit" in message and "\n" not in message
    victim.unlink()
    with pytest.raises(ArtifactError, match="missing"):
        load_model(target)


def test_a_tampered_song_table_is_refused_when_read_and_never_unpickled(saved: Path, tmp_path: Path):
    target = copy_artifact(saved, tmp_path / "model.joblib")
    victim = arrays_dir(target) / "songs.joblib"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    model = load_model(target)  # serving does not need it: the start goes on
    engine = Engine(model)
    assert engine.recommend("la java").picks
    with pytest.raises(ArtifactError, match="songs.joblib does not match its SHA-256"):
        _ = model.songs_


@pytest.mark.parametrize("folder", ["../elsewhere", "/tmp", "", "..", "model.joblib.arrays-gone"])
def test_a_record_naming_another_folder_is_refused(saved: Path, tmp_path: Path, folder: str):
    target = copy_artifact(saved, tmp_path / "model.joblib")
    record = json.loads(checksum_path(target).read_text(encoding="utf-8"))
    record["arrays"]["dir"] = folder
    checksum_path(target).write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ArtifactError, match="rebuild"):
        load_model(target)


def test_saving_again_keeps_one_arrays_folder(model: MoodModel, tmp_path: Path):
    target = tmp_path / "m.joblib"
    save_model(model, target)
    save_model(model, target)
    assert [p for p in tmp_path.iterdir() if p.is_dir()] == [arrays_dir(target)]


def test_another_artist_weight_rebuilds_only_the_ranking_blocks(saved: Path, model: MoodModel):
    light = Engine(load_model(saved), artist_weight=0.0)
    plain = Engine(MoodModel(4).fit(model.songs_, progress=lambda _m: None), artist_weight=0.0)
    assert light.recommender._vectors_t[0].flags.writeable  # built for this weight
    assert is_mapped(light.recommender.X_)
    assert [p.song.id for p in light.recommend(11, 10).picks] == [
        p.song.id for p in plain.recommend(11, 10).picks
    ]


# -- the flat columns ----------------------------------------------------------------------
def test_text_columns_read_back_every_string():
    strings = ["", "Édith Piaf", "Beyoncé", "a", "日本語のタイトル", "emoji 🎵 here", "", "x" * 300]
    col = TextColumn.from_strings(strings)
    assert len(col) == len(strings) and list(col) == strings and col.tolist() == strings
    assert [col[i] for i in range(len(strings))] == strings
    assert col[-1] == strings[-1] and col[1:3] == strings[1:3]
    assert col.take([7, 1, 1, 0]) == [strings[7], strings[1], strings[1], strings[0]] and col.take([]) == []
    with pytest.raises(IndexError):
        col.take([0, len(strings)])
    with pytest.raises(IndexError):
        col[len(strings)]
    again = TextColumn.from_arrays(col.arrays())
    assert again == col and again is not col
    assert TextColumn.from_strings([]).tolist() == []
    tuples = TupleColumn.from_tuples([(), ("pop",), ("dance pop", "pop", "uk pop"), ("odd\x1fpart",)])
    assert list(tuples) == [(), ("pop",), ("dance pop", "pop", "uk pop"), ("odd part",)]


def test_the_id_index_finds_the_first_row_of_each_id():
    ids = TextColumn.from_strings(["b", "a", "c", "a", "é", "", "b"])
    index = IdIndex.build(ids)
    assert [index.get(x) for x in ("a", "b", "c", "é", "")] == [1, 0, 2, 4, 5]
    assert index.get("zz") is None and index.get(3) is None and "a" in index and "d" not in index
    assert index["c"] == 2 and len(index) == 5
    with pytest.raises(KeyError):
        index["nope"]


def test_a_model_saved_again_while_being_loaded_is_loaded_new(
    model: MoodModel, saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """An operator refits the live model while a bot process starts: the start gets the new one."""
    import engine.storage.artifact as artifact

    target = copy_artifact(saved, tmp_path / "model.joblib")
    other = MoodModel(3).fit(model.songs_.head(600), progress=lambda _m: None)
    real_map = artifact.map_arrays
    calls = []

    def map_during_a_save(directory, files):
        calls.append(directory)
        if len(calls) == 1:  # the save lands between reading the record and mapping its folder
            save_model(other, target)
        return real_map(directory, files)

    monkeypatch.setattr(artifact, "map_arrays", map_during_a_save)
    loaded = load_model(target)
    assert len(calls) == 2 and not calls[0].exists()  # the old folder went with the save
    assert loaded.n_clusters_ == 3 and len(loaded.labels_) == 600


def test_a_record_pointing_an_array_outside_its_folder_is_refused(saved: Path, tmp_path: Path):
    target = copy_artifact(saved, tmp_path / "model.joblib")
    record = json.loads(checksum_path(target).read_text(encoding="utf-8"))
    outside = tmp_path / "elsewhere.npy"
    np.save(outside, np.zeros(3))
    record["arrays"]["files"]["rec.group"]["file"] = "../elsewhere.npy"
    checksum_path(target).write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ArtifactError, match="missing"):
        load_model(target)


def test_arrays_that_do_not_fit_the_model_are_rebuilt_with_a_warning(
    saved: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    """A record listing too few arrays (hand-edited; each remaining file still checks out)."""
    target = copy_artifact(saved, tmp_path / "model.joblib")
    record = json.loads(checksum_path(target).read_text(encoding="utf-8"))
    del record["arrays"]["files"]["res.rank_order"]
    checksum_path(target).write_text(json.dumps(record), encoding="utf-8")
    model = load_model(target)
    with caplog.at_level("WARNING", logger="engine.parts"):
        engine = Engine(model)
    assert "building them instead" in caplog.text
    assert engine.recommend("la java").seed.name == "La Java"
    del record["arrays"]["files"]["model.labels_"]
    checksum_path(target).write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ArtifactError, match="lacks the model's labels_"):
        load_model(target)


@pytest.mark.parametrize("items", [3, 2000])  # read (tiny file) and mapped (large file)
def test_an_array_of_python_objects_is_never_loaded(saved: Path, tmp_path: Path, items: int):
    """.npy can hold pickles; a listed file of objects is refused even with a matching checksum."""
    from engine.paths import file_sha256

    target = copy_artifact(saved, tmp_path / "model.joblib")
    record = json.loads(checksum_path(target).read_text(encoding="utf-8"))
    folder = arrays_dir(target)
    trap = folder / "rec.group.npy"
    np.save(trap, np.array([f"object {i}" for i in range(items)], dtype=object), allow_pickle=True)
    record["arrays"]["files"]["rec.group"].update(sha256=file_sha256(trap), bytes=trap.stat().st_size)
    checksum_path(target).write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(ArtifactError, match="rec.group.npy"):
        load_model(target)
