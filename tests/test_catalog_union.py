"""The default catalog: six bundled files, multi-file and folder catalogs, stable derived ids.

Runs on the real bundled files (data/): the study sample, the two lists of well-known
songs and the three larger public tables, read through :func:`engine.catalog.load_catalog`
as a user's bot would. No mocks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from bot.config import settings_from_env
from engine.catalog import (
    MERGE_SAME_ID,
    MERGE_SAME_SONG,
    NOTE_BAD_YEAR,
    NOTE_PLACEHOLDER_YEAR,
    CatalogError,
    derived_id,
    load_catalog,
    split_artists,
)
from engine.features import AUDIO_FEATURES
from engine.filters import parse_targets, target_mask
from engine.paths import (
    DEFAULT_CATALOG,
    DEFAULT_CATALOG_FILES,
    SMALL_UNION_FILES,
    STUDY_SAMPLE_FILE,
    catalog_files,
    catalog_fingerprint,
    default_catalog,
)
from engine.text import fold

REPO = Path(__file__).resolve().parent.parent
HITS = REPO / "data" / "top_hits_2000_2019.csv"
WELL_KNOWN = REPO / "data" / "well_known_songs.csv"
SPOTIFY_ID = re.compile(r"^[0-9A-Za-z]{22}$")


@pytest.fixture(scope="module")
def union(default_engine):
    """The default catalog as the session's model loaded it (one load of 89,000 rows per
    session): its song table and cleaning report."""
    model = default_engine.model
    return model.songs_, model.cleaning_report_


@pytest.fixture(scope="module")
def well_known():
    return load_catalog(WELL_KNOWN)


def rows(songs: pd.DataFrame, name: str) -> pd.DataFrame:
    return songs[songs["name"] == name]


# -- the bundled files and the default ---------------------------------------------------
def test_default_catalog_is_the_bundled_folder_of_six_files():
    assert STUDY_SAMPLE_FILE.name == "single_genre_artists_sample.csv" and STUDY_SAMPLE_FILE.is_file()
    assert default_catalog({}) == DEFAULT_CATALOG
    assert catalog_files(DEFAULT_CATALOG) == list(DEFAULT_CATALOG_FILES)  # README.md, __init__.py ignored
    assert [p.name for p in DEFAULT_CATALOG_FILES] == [
        "hit_predictor_1960_2019.csv.gz",
        "single_genre_artists_sample.csv",
        "spotify_top_songs_audio_features.csv.gz",
        "tidytuesday_spotify_songs.csv.gz",
        "top_hits_2000_2019.csv",
        "well_known_songs.csv",
    ]
    # The catalog of before stays bundled and reachable by naming its three files.
    assert [p.name for p in SMALL_UNION_FILES] == [
        "single_genre_artists_sample.csv",
        "top_hits_2000_2019.csv",
        "well_known_songs.csv",
    ]
    assert all(p in DEFAULT_CATALOG_FILES for p in SMALL_UNION_FILES)
    assert settings_from_env({}).catalog == DEFAULT_CATALOG


def test_the_default_union_answers_songs_people_know(union):
    songs, report = union
    for title, artist in [
        ("Shape of You", "Ed Sheeran"),
        ("In the End", "Linkin Park"),
        ("Smells Like Teen Spirit", "Nirvana"),
        ("La Java", "Mistinguett"),
        ("Blinding Lights", "The Weeknd"),
        ("Heat Waves", "Glass Animals"),
        ("Mr. Brightside", "The Killers"),
        ("Every Breath You Take", "The Police"),
    ]:
        found = songs[(songs["name_key"] == fold(title)) & (songs["artists"].map(lambda a: a[0]) == artist)]
        assert len(found) == 1, (title, found[["name", "artist", "source"]])
    assert songs["id"].is_unique
    assert list(songs.columns[-len(AUDIO_FEATURES) :]) == list(AUDIO_FEATURES)
    assert 69_000 <= len(songs) <= 71_000
    # Every song says which files it came from, and the study sample comes through whole.
    sources = {s for ss in songs["sources"] for s in ss}
    assert sources == {p.name for p in DEFAULT_CATALOG_FILES}
    assert set(songs["source"]) <= sources and all(
        s in ss for s, ss in zip(songs["source"], songs["sources"])
    )
    assert songs["sources"].map(lambda ss: STUDY_SAMPLE_FILE.name in ss).sum() == 3096
    # TidyTuesday's playlists stay with each song: a tuple of ids, names beside them.
    listed = songs[songs["playlists"].map(len) > 0]
    assert 25_000 <= len(listed) <= 26_500
    assert (listed["playlists"].map(len) == listed["playlist_names"].map(len)).all()
    assert listed["playlists"].map(len).max() >= 5
    assert len({p for ps in listed["playlists"] for p in ps}) == 471


def test_the_union_report_says_per_file_what_was_read_kept_and_dropped(union):
    songs, report = union
    assert [f.source for f in report.files] == [p.name for p in DEFAULT_CATALOG_FILES]
    assert [(f.layout, f.rows_read) for f in report.files] == [
        ("hit predictor", 41106),
        ("study", 3288),
        ("charts", 6513),
        ("tidytuesday", 32833),
        ("hits", 1821),
        ("hits", 3669),
    ]
    assert report.rows_read == sum(f.rows_read for f in report.files) and report.rows_kept == len(songs)
    for part in report.files:
        assert part.rows_kept + sum(part.dropped.values()) + sum(part.merged.values()) == part.rows_read
    tidy = report.files[3]
    assert tidy.merged[MERGE_SAME_ID] > 4_000  # one row per (track, playlist)
    assert tidy.dropped == {"title and artist both written NA (R's missing value)": 5}
    assert report.files[5].merged[MERGE_SAME_SONG] > 400  # the extension lists songs twice
    # Across files: the same songs in several files became one entry each.
    across = sum(report.merged.values())
    assert 8_000 <= across <= 10_000
    assert len(songs) == sum(f.rows_kept for f in report.files) - across - sum(report.dropped.values())
    text = "\n".join(report.lines())
    for part in report.files:
        assert (
            f"{part.source} ({part.layout} layout): read {part.rows_read:,}; kept {part.rows_kept:,}" in text
        )
    assert f"merged {report.merged[MERGE_SAME_ID]:,}: {MERGE_SAME_ID}" in text
    assert f"rows read: {report.rows_read:,}; kept: {len(songs):,} songs" in text
    for quirk in (
        "key as a note name",
        "mode as Major/Minor",
        "time signature as text",
        "spotify:track: URI",
        "release date as YYYY-MM-DD",
        "release date as YYYY-MM",
        "decade as the only date",
        "Featuring",
    ):
        assert quirk in text, quirk
    as_json = json.loads(json.dumps(report.to_dict()))
    assert [f["source"] for f in as_json["files"]] == [p.name for p in DEFAULT_CATALOG_FILES]


# -- the hits layout ---------------------------------------------------------------------
def test_hits_layout_genres_are_lists_with_one_spelling(well_known):
    songs, report = well_known
    assert report.layout == "hits"
    genres = {g for gs in songs["genres"] for g in gs}
    assert "hip hop" in genres and "hip-hop" not in genres and "set()" not in genres
    assert all(g == g.strip().lower() and g for g in genres)
    hits, _ = load_catalog(HITS)
    blink = hits[hits["name"] == "All The Small Things"].iloc[0]
    assert blink["genres"] == ("rock", "pop")
    # "hip hop" (chart hits) and "hip-hop" (extension) now agree, so a genre check can use either file.
    assert {"hip hop"} & {g for gs in hits["genres"] for g in gs}
    assert (hits["genres"] == ()).sum() == 18  # the literal set(): no genre, not a genre "set()"


def test_rows_without_id_get_a_stable_derived_id(well_known):
    songs, _ = well_known
    assert songs["id"].str.fullmatch(r"cf-[0-9a-f]{16}").all()
    assert not songs["id"].str.fullmatch(SPOTIFY_ID.pattern).any()
    killing = rows(songs, "Killing In The Name").iloc[0]
    # Fixed value: the same on every machine and run (SHA-1 of folded artist and title).
    assert killing["id"] == derived_id("Rage Against The Machine", "Killing In The Name")
    assert derived_id("rage against the machine", "KILLING IN THE NAME") == killing["id"]
    assert derived_id("Rage Against The Machine", "Killing In The Name (Live)") != killing["id"]


def test_derived_ids_do_not_depend_on_row_or_file_order(tmp_path, well_known):
    songs, _ = well_known
    raw = pd.read_csv(WELL_KNOWN, dtype=str, keep_default_na=False)
    shuffled = raw.sample(frac=1.0, random_state=3)
    path = tmp_path / "well_known_songs.csv"
    shuffled.to_csv(path, index=False)
    again, _ = load_catalog(path)
    # Each song's id is a function of its artist credit and title, whatever the row order ...
    possible = {derived_id(a, n) for a, n in zip(raw["artist"], raw["song"])}
    for table in (songs, again):
        assert len(set(table["id"]) - possible) <= 2  # (a credit naming an artist twice is read once)
    # ... so the same songs get the same ids. (Of two copies of one song, the more popular,
    # else the first listed, gives the id: the only order-dependent choice.)
    assert len(set(again["id"]) ^ set(songs["id"])) <= 20
    by_id = again.set_index("id")
    for _, row in songs[songs["id"].isin(by_id.index)].iterrows():  # (display case may differ)
        assert fold(by_id.loc[row["id"], "name"]) == fold(row["name"])
    # Files in another order: the same songs keep the same ids (and titles and artists).
    first_union, _ = load_catalog(list(SMALL_UNION_FILES))
    reverse, _ = load_catalog([*reversed(SMALL_UNION_FILES)])
    common = set(reverse["id"]) & set(first_union["id"])
    assert len(common) >= 0.97 * len(first_union)
    a = first_union.set_index("id").loc[sorted(common), ["name", "artist"]].map(fold)
    b = reverse.set_index("id").loc[sorted(common), ["name", "artist"]].map(fold)
    pd.testing.assert_frame_equal(a, b)


# -- years -------------------------------------------------------------------------------
def test_year_1905_and_value_error_are_unknown_and_out_of_year_filters(well_known):
    songs, report = well_known
    killing = rows(songs, "Killing In The Name")
    boogie = rows(songs, "Boogie Wonderland")  # the one '#VALUE!' row
    assert killing["year"].isna().all() and boogie["year"].isna().all()
    assert not (songs["year"] == 1905).any()
    assert report.notes[NOTE_BAD_YEAR] == 1
    raw = pd.read_csv(WELL_KNOWN, dtype=str, keep_default_na=False)
    assert 40 <= report.notes[NOTE_PLACEHOLDER_YEAR] <= (raw["year"] == "1905").sum() == 80
    # Some of those songs are listed again with their real year: merged, they keep it.
    assert 40 <= songs["year"].isna().sum() <= report.notes[NOTE_PLACEHOLDER_YEAR] + 1
    assert f"kept {report.notes[NOTE_PLACEHOLDER_YEAR]} with {NOTE_PLACEHOLDER_YEAR}" in "\n".join(
        report.lines()
    )
    nineties = target_mask(songs, parse_targets("year 1990-1999"))
    assert nineties.sum() > 50
    assert not nineties[killing.index].any() and not nineties[boogie.index].any()
    assert not target_mask(songs, parse_targets("year<1950"))[killing.index].any()


def test_1905_stays_a_year_outside_the_hits_layout(tmp_path):
    raw = pd.read_csv(STUDY_SAMPLE_FILE, dtype=str, keep_default_na=False).head(30)
    raw.loc[raw.index[0], "release_date"] = "1905"
    raw.to_csv(tmp_path / "study.csv", index=False)
    songs, report = load_catalog(tmp_path / "study.csv")
    assert songs["year"].iloc[0] == 1905 and not report.notes


# -- artists -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "field, expected",
    [
        ("Future, Drake, Tems", ("Future", "Drake", "Tems")),
        ("Tyler, The Creator", ("Tyler, The Creator",)),
        ("Tyler, The Creator, Kali Uchis", ("Tyler, The Creator", "Kali Uchis")),
        ("Kendrick Lamar,SZA", ("Kendrick Lamar", "SZA")),
        ("Bad Bunny, The Marías", ("Bad Bunny", "The Marías")),  # ", The" is not always one name
        ("Earth, Wind & Fire, The Emotions", ("Earth, Wind & Fire", "The Emotions")),
        ("tyler, the creator", ("tyler, the creator",)),
        ("['Mistinguett', 'Orquesta Típica']", ("Mistinguett", "Orquesta Típica")),
        ("A;B", ("A", "B")),
    ],
)
def test_artist_fields_split_into_the_people_named(field, expected):
    assert split_artists(field) == expected


def test_multi_artist_rows_read_naturally(well_known):
    songs, _ = well_known
    wait = rows(songs, "WAIT FOR U (feat. Drake & Tems)").iloc[0]
    assert wait["artists"] == ("Future", "Drake", "Tems") and wait["artist"] == "Future, Drake, Tems"
    tyler = songs[songs["artists"].map(lambda a: "Tyler, The Creator" in a)]
    assert len(tyler) >= 5 and "The Creator" not in {a for t in songs["artists"] for a in t}
    assert rows(songs, "EARFQUAKE").iloc[0]["artist"] == "Tyler, The Creator"
    stars = rows(songs, "All The Stars").iloc[0]
    assert stars["artist"] == "Kendrick Lamar, SZA" and stars["artists"] == ("Kendrick Lamar", "SZA")


# -- several files -------------------------------------------------------------------------
@pytest.fixture()
def two_files(tmp_path):
    """A study slice and a hits-layout file sharing two songs with it (one with other features)."""
    study = pd.read_csv(STUDY_SAMPLE_FILE, dtype=str, keep_default_na=False).iloc[:200]
    hits = pd.read_csv(HITS, dtype=str, keep_default_na=False).iloc[:100]
    shared = pd.DataFrame(
        {
            "artist": study["name_artists"].iloc[[10, 20]].tolist(),
            "song": study["name_song"].iloc[[10, 20]].str.upper().tolist(),
            "duration_ms": study["duration_ms"].iloc[[10, 20]].tolist(),
            "explicit": "FALSE",
            "year": "2001",
            "popularity": "50",
            "genre": "pop",
        }
    )
    for f in [f for f in hits.columns if f in study.columns and f not in shared.columns]:
        shared[f] = study[f].iloc[[10, 20]].tolist()
    shared.loc[1, "energy"] = "0.001" if float(study["energy"].iloc[20]) > 0.5 else "0.999"
    folder = tmp_path / "catalog"
    folder.mkdir()
    study.to_csv(folder / "a_study.csv", index=False)
    pd.concat([hits, shared], ignore_index=True)[hits.columns].to_csv(folder / "b_hits.csv", index=False)
    (folder / "notes.txt").write_text("not a catalog\n")
    return folder, study


def test_folder_pathsep_and_list_load_the_same_union(two_files):
    folder, study = two_files
    a, b = folder / "a_study.csv", folder / "b_hits.csv"
    from_folder, report = load_catalog(folder)
    from_string, _ = load_catalog(f"{a}{os.pathsep}{b}")
    from_list, _ = load_catalog([a, b])
    from_env, _ = load_catalog(default_catalog({"CLUSTERFY_CATALOG": f" {a} {os.pathsep}{b}{os.pathsep}"}))
    for other in (from_string, from_list, from_env):
        pd.testing.assert_frame_equal(from_folder, other)
    assert [f.source for f in report.files] == ["a_study.csv", "b_hits.csv"]
    assert [f.rows_read for f in report.files] == [200, 102]


def test_the_same_song_in_two_files_is_kept_once_preferring_the_spotify_id(two_files):
    folder, study = two_files
    songs, report = load_catalog(folder)
    same = songs[
        songs["name_key"] == songs.loc[songs["id"] == study["id_songs"].iloc[10], "name_key"].iloc[0]
    ]
    # Row 10 came back upper-cased with the same features: one song, the study's row and id.
    assert len(same) == 1 and same["id"].iloc[0] == study["id_songs"].iloc[10]
    assert same["source"].iloc[0] == "a_study.csv"
    assert same["sources"].iloc[0] == ("a_study.csv", "b_hits.csv")
    assert sum(report.merged.values()) >= 2
    # The copy in the hits file brings what the study's row lacked: a genre from that file.
    assert "pop" in same["genres"].iloc[0]
    # Row 20: same title again, so the same song even with other features; one kept, the study's.
    twenty = songs[songs["name"].str.casefold() == study["name_song"].iloc[20].casefold()]
    assert twenty["source"].tolist() == ["a_study.csv"]
    # Order of files does not change which row survives when one has a Spotify id.
    swapped, _ = load_catalog([folder / "b_hits.csv", folder / "a_study.csv"])
    assert study["id_songs"].iloc[10] in set(swapped["id"])
    assert set(swapped["id"]) == set(songs["id"])


def test_catalog_paths_that_cannot_be_used_say_why(tmp_path, two_files):
    folder, _ = two_files
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("no songs here\n")
    with pytest.raises(CatalogError, match="folder holds no CSV or Parquet"):
        load_catalog(empty)
    with pytest.raises(CatalogError, match=r"not found: .*missing\.csv"):
        load_catalog(f"{folder / 'a_study.csv'}{os.pathsep}{tmp_path / 'missing.csv'}")
    with pytest.raises(CatalogError, match="no catalog file given"):
        catalog_files(os.pathsep)


def test_the_model_cache_key_covers_every_file(tmp_path, two_files):
    folder, _ = two_files
    a, b = folder / "a_study.csv", folder / "b_hits.csv"
    key = catalog_fingerprint(folder)
    assert key == catalog_fingerprint([a, b]) == catalog_fingerprint(f"{a}{os.pathsep}{b}")
    assert key not in {catalog_fingerprint(a), catalog_fingerprint(b), catalog_fingerprint([b, a])}
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    assert catalog_fingerprint(copy) == key  # content, not location
    with open(copy / "b_hits.csv", "a", encoding="utf-8") as fh:
        fh.write(pd.read_csv(HITS, dtype=str).iloc[[500]].to_csv(index=False, header=False))
    assert catalog_fingerprint(copy) != key
    shutil.copy2(STUDY_SAMPLE_FILE, copy / "c_more.csv")
    assert catalog_fingerprint(copy) != key


# -- package data ----------------------------------------------------------------------------
def test_pyproject_ships_the_bundled_csvs_as_package_data():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "clusterfy_data" in config["packages"] and config["package-dir"]["clusterfy_data"] == "data"
    assert {"*.csv", "*.csv.gz"} <= set(config["package-data"]["clusterfy_data"])
    assert "engine.catalog" in config["packages"]
    assert (REPO / "data" / "__init__.py").is_file()


def test_outside_a_checkout_the_catalog_is_found_as_package_data(tmp_path):
    """engine/ and clusterfy_data/ side by side as an installed wheel lays them out, no data/."""
    site = tmp_path / "site-packages"
    shutil.copytree(REPO / "engine", site / "engine", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "data", site / "clusterfy_data")
    code = (
        "from engine.paths import STUDY_SAMPLE_FILE, DEFAULT_CATALOG, catalog_files;"
        "print(STUDY_SAMPLE_FILE); print(len(catalog_files(DEFAULT_CATALOG)))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "CLUSTERFY_CATALOG"}}
    env["PYTHONPATH"] = str(site)
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    bundled, count = proc.stdout.split()
    assert Path(bundled) == site / "clusterfy_data" / "single_genre_artists_sample.csv"
    assert count == "6"


# -- evaluate on a multi-file catalog --------------------------------------------------------
def test_evaluate_compares_the_union_with_each_file_at_k4(two_files, tmp_path):
    folder, _ = two_files
    env = {k: v for k, v in os.environ.items() if k != "CLUSTERFY_CATALOG"}
    env.update(PYTHONPATH=str(REPO), CLUSTERFY_CACHE_DIR=str(tmp_path / "cache"), PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "evaluate",
            "--data",
            str(folder),
            "--k-min",
            "2",
            "--k-max",
            "3",
            "--n-init",
            "2",
            "--json",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert {"results", "chosen_k", "silhouette_sample", "cleaning"} <= set(payload)
    assert [f["source"] for f in payload["cleaning"]["files"]] == ["a_study.csv", "b_hits.csv"]
    comparison = payload["comparison"]
    assert [c["catalog"] for c in comparison] == ["union", "a_study.csv", "b_hits.csv"]
    for c in comparison:
        assert c["k"] == 4 and len(c["sizes"]) == len(c["moods"]) == 4
        assert -1 < c["silhouette"] < 1 and c["davies_bouldin"] > 0
    assert sum(comparison[0]["sizes"]) == payload["silhouette_sample"] == payload["cleaning"]["rows_kept"]
    text = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "evaluate",
            "--data",
            str(folder),
            "--k-min",
            "2",
            "--k-max",
            "3",
            "--n-init",
            "2",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    assert re.search(r"^union\s+\d[\d,]*\s+0\.\d{3}\s+\d\.\d{3}", text, re.M)
    assert "a_study.csv (study layout): read 200" in text
