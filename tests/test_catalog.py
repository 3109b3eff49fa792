"""Loading catalogs: every supported layout, every cleaning rule, the quirks, the bad files.

Everything here runs on real rows of the bundled catalog (slices of it, renamed or
reformatted into the other public layouts), written to real files and read back
through :func:`engine.catalog.load_catalog`. No mocks.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.catalog import (
    DROP_ID_CONFLICT,
    DROP_MISSING_FEATURE,
    DROP_MISSING_TITLE,
    DROP_OUT_OF_RANGE,
    MERGE_SAME_RECORDING,
    MERGE_SAME_SONG,
    CatalogError,
    canonical_columns,
    load_catalog,
)
from engine.features import AUDIO_FEATURES
from engine.paths import STUDY_SAMPLE_FILE

ALL_REASONS = (DROP_MISSING_TITLE, DROP_MISSING_FEATURE, DROP_OUT_OF_RANGE, DROP_ID_CONFLICT)
CANONICAL_COLUMNS = canonical_columns()
TRACKS_114K_FEATURES = [
    "danceability",
    "energy",
    "key",
    "loudness",
    "mode",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "time_signature",
]


# -- fixtures -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The bundled file exactly as text, one string per cell."""
    return pd.read_csv(STUDY_SAMPLE_FILE, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def bundled():
    return load_catalog(STUDY_SAMPLE_FILE)


@pytest.fixture(scope="module")
def sample(raw: pd.DataFrame, bundled) -> pd.DataFrame:
    """~200 real rows that each survive cleaning, spread over the whole file.

    Always includes the rows with the quirks tested below: the first row (exponent
    notation), an NFD title, a four-genre list, titles with quotes and commas.
    """
    songs, _ = bundled
    kept = raw[raw["id_songs"].isin(set(songs["id"]))]
    picked = set(kept.index[::16])
    picked |= {0, 1135, 3004}
    picked |= set(kept.index[kept["name_song"].str.contains('"') & kept["name_song"].str.contains(",")][:2])
    out = raw.loc[sorted(picked)].reset_index(drop=True)
    assert 190 <= len(out) <= 230
    return out


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def to_tracks_114k(study: pd.DataFrame) -> pd.DataFrame:
    """The 114k "tracks dataset" layout (with its unnamed index column)."""
    artists = study["name_artists"].tolist()
    # Every fifth song gets a featured artist, the way that file writes them: "A;B".
    artists = [f"{a};{artists[(i + 7) % len(artists)]}" if i % 5 == 0 else a for i, a in enumerate(artists)]
    out = pd.DataFrame(
        {
            "": range(len(study)),
            "track_id": study["id_songs"],
            "artists": artists,
            "album_name": study["name_song"] + " (Album)",
            "track_name": study["name_song"],
            "popularity": study["popularity_songs"],
            "duration_ms": study["duration_ms"],
            "explicit": study["explicit"].map({"0": "False", "1": "True"}),
        }
    )
    for col in TRACKS_114K_FEATURES:
        out[col] = study[col]
    out["track_genre"] = [ast.literal_eval(g)[0] if ast.literal_eval(g) else "" for g in study["genres"]]
    return out


def to_tracks_600k(study: pd.DataFrame) -> pd.DataFrame:
    """The 600k tracks layout: list-string artists, ISO release dates, no genres."""
    years = study["release_date"].str[-4:]
    out = pd.DataFrame(
        {
            "id": study["id_songs"],
            "name": study["name_song"],
            "popularity": study["popularity_songs"],
            "duration_ms": study["duration_ms"],
            "explicit": study["explicit"],
            "artists": [
                str([a]) if i % 4 else str([a, "Orquesta Típica"])
                for i, a in enumerate(study["name_artists"])
            ],
            "id_artists": [str([a]) for a in study["id_artists"]],
            "release_date": years + "-03-21",
        }
    )
    for col in TRACKS_114K_FEATURES:
        out[col] = study[col]
    return out


def assert_canonical(songs: pd.DataFrame) -> None:
    assert list(songs.columns) == CANONICAL_COLUMNS
    assert isinstance(songs.index, pd.RangeIndex)
    for feature in AUDIO_FEATURES:
        assert songs[feature].dtype == np.float64, feature
    assert songs["id"].is_unique
    assert all(isinstance(g, tuple) for g in songs["genres"])


# -- the bundled catalog ----------------------------------------------------------------
def test_bundled_catalog_cleans_to_3096_songs(bundled):
    songs, report = bundled
    assert report.layout == "study"
    assert report.rows_read == 3288
    assert report.rows_kept == len(songs) == 3096
    # Nothing broken in the sample; 192 rows are other releases of a song listed already
    # (the same title and artist on another album, 46 of them with identical features).
    assert report.dropped == {}
    assert report.merged == {MERGE_SAME_SONG: 190, MERGE_SAME_RECORDING: 2}
    assert report.rows_read == report.rows_kept + report.rows_merged
    assert_canonical(songs)
    text = "\n".join(report.lines())
    assert "3,288" in text and "3,096" in text and f"merged 190: {MERGE_SAME_SONG}" in text
    # Merged copies keep the best-known facts: the earliest year, the highest popularity.
    agadoo = songs[songs["name"] == "Agadoo"].iloc[0]
    assert (agadoo["year"], agadoo["popularity"]) == (1989, 48.0)


# -- layouts --------------------------------------------------------------------------
def test_study_layout(sample, tmp_path):
    songs, report = load_catalog(write_csv(sample, tmp_path / "study.csv"))
    assert report.layout == "study"
    assert report.rows_read == report.rows_kept == len(sample)
    assert_canonical(songs)
    assert songs["id"].tolist() == sample["id_songs"].tolist()
    assert songs["artist"].tolist() == [unicodedata.normalize("NFC", a) for a in sample["name_artists"]]
    np.testing.assert_allclose(songs["tempo"], sample["tempo"].astype(float))
    assert songs["explicit"].tolist() == (sample["explicit"] == "1").tolist()
    assert songs["popularity"].tolist() == sample["popularity_songs"].astype(float).tolist()


def test_tracks_114k_layout(sample, tmp_path):
    study, _ = load_catalog(write_csv(sample, tmp_path / "study.csv"))
    frame = to_tracks_114k(sample)
    songs, report = load_catalog(write_csv(frame, tmp_path / "dataset.csv"))
    assert report.layout == "tracks dataset"
    assert report.rows_kept == len(sample)
    assert_canonical(songs)
    # Same songs, same numbers as the study layout of the same rows.
    assert songs["id"].tolist() == study["id"].tolist()
    assert songs["name"].tolist() == study["name"].tolist()
    for feature in AUDIO_FEATURES:
        np.testing.assert_array_equal(songs[feature], study[feature])
    # ';'-separated artists are shown as "A, B".
    first, partner = sample["name_artists"].iloc[0], sample["name_artists"].iloc[7]
    assert songs["artist"].iloc[0] == f"{first}, {partner}"
    assert songs["artist"].iloc[1] == sample["name_artists"].iloc[1]
    # One genre per row, from track_genre; no release date in this layout.
    assert songs["genres"].iloc[0] == ("vintage chanson",)
    assert songs["year"].isna().all()
    assert songs["explicit"].sum() == (sample["explicit"] == "1").sum()


def test_tracks_600k_layout(sample, tmp_path):
    study, _ = load_catalog(write_csv(sample, tmp_path / "study.csv"))
    songs, report = load_catalog(write_csv(to_tracks_600k(sample), tmp_path / "tracks.csv"))
    assert report.layout == "600k tracks / data.csv"
    assert report.rows_kept == len(sample)
    assert_canonical(songs)
    assert songs["id"].tolist() == study["id"].tolist()
    for feature in AUDIO_FEATURES:
        np.testing.assert_array_equal(songs[feature], study[feature])
    # "['A', 'B']" list-strings become "A, B"; YYYY-MM-DD becomes the year.
    assert songs["artist"].iloc[0] == f"{sample['name_artists'].iloc[0]}, Orquesta Típica"
    assert songs["artist"].iloc[1] == sample["name_artists"].iloc[1]
    assert songs["year"].tolist() == study["year"].tolist()
    assert songs["genres"].map(len).sum() == 0  # this layout has no genres


def test_parquet_study_layout(sample, tmp_path):
    frame = sample.copy()
    for col in [*AUDIO_FEATURES, "popularity_songs", "key", "mode"]:
        frame[col] = frame[col].astype(float)
    frame["explicit"] = frame["explicit"] == "1"
    path = tmp_path / "study.parquet"
    frame.to_parquet(path, index=False)
    songs, report = load_catalog(path)
    csv_songs, _ = load_catalog(write_csv(sample, tmp_path / "study.csv"))
    assert report.layout == "study" and report.rows_kept == len(sample)
    assert_canonical(songs)
    assert set(songs["source"]) == {"study.parquet"} and set(csv_songs["source"]) == {"study.csv"}
    pd.testing.assert_frame_equal(
        songs.drop(columns=["source", "sources"]),
        csv_songs.drop(columns=["source", "sources"]),
        check_dtype=False,
    )


def test_parquet_with_native_list_columns(sample, tmp_path):
    """Parquet files from pandas often hold real lists rather than list-strings."""
    frame = sample.copy()
    frame["genres"] = [ast.literal_eval(g) for g in frame["genres"]]
    frame["name_artists"] = [[a, "Orquesta Típica"] for a in frame["name_artists"]]
    path = tmp_path / "lists.parquet"
    frame.to_parquet(path, index=False)
    songs, _ = load_catalog(path)
    row = sample.index[sample["id_songs"] == "7sZJnGa1a3iCm74SIiNRxU"][0]
    assert songs["genres"].iloc[row] == ("latin", "latin alternative", "latin pop", "rock en espanol")
    assert songs["artist"].iloc[0] == f"{sample['name_artists'].iloc[0]}, Orquesta Típica"


def test_column_names_are_matched_case_insensitively(sample, tmp_path):
    frame = sample.rename(columns={"name_song": "Name_Song", "energy": "ENERGY"})
    songs, report = load_catalog(write_csv(frame, tmp_path / "upper.csv"))
    assert report.rows_kept == len(sample)
    np.testing.assert_allclose(songs["energy"], sample["energy"].astype(float))


# -- cleaning rules -----------------------------------------------------------------------
def load_with(sample: pd.DataFrame, extra: pd.DataFrame, tmp_path: Path):
    frame = pd.concat([sample, extra], ignore_index=True)
    songs, report = load_catalog(write_csv(frame, tmp_path / "catalog.csv"))
    return songs, report


def only(report, **expected: int) -> None:
    """The report drops or merges exactly ``expected`` (reason constant -> count), nothing else."""
    got = {r: n for r, n in {**report.dropped, **report.merged}.items() if n}
    assert got == {r: n for r, n in expected.items() if n}


def fresh_ids(frame: pd.DataFrame, tag: str) -> pd.DataFrame:
    frame = frame.copy()
    frame["id_songs"] = [f"{tag}{i:04d}" for i in range(len(frame))]
    return frame


def test_an_id_given_to_another_title_is_a_source_error_and_the_first_is_kept(sample, tmp_path):
    dups = sample.iloc[[3, 10, 20]].copy()
    dups["name_song"] = ["A Different Title", "Another", "Third"]
    dups["energy"] = "0.5"
    songs, report = load_with(sample, dups, tmp_path)
    only(report, **{DROP_ID_CONFLICT: 3})
    assert report.rows_read == len(sample) + 3 and report.rows_kept == len(sample)
    # The first listing wins: the original titles are still there.
    assert songs.set_index("id").loc[sample["id_songs"].iloc[3], "name"] == unicodedata.normalize(
        "NFC", sample["name_song"].iloc[3]
    )
    assert "A Different Title" not in set(songs["name"])


def test_duplicate_songs_match_despite_case_accents_and_version_tags(sample, tmp_path):
    accented = sample[
        sample["name_song"].map(
            lambda t: any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", t))
        )
    ]
    assert len(accented) >= 1
    src = pd.concat([sample.iloc[[5, 6, 7]], accented.iloc[[0]]])
    variants = fresh_ids(src, "dup")
    variants.iloc[0, variants.columns.get_loc("name_song")] = src["name_song"].iloc[0].upper()
    variants.iloc[1, variants.columns.get_loc("name_song")] = src["name_song"].iloc[1] + " - Remastered 2011"
    variants.iloc[2, variants.columns.get_loc("name_song")] = src["name_song"].iloc[2].lower() + " (Live)"
    no_accents = "".join(
        c for c in unicodedata.normalize("NFD", src["name_song"].iloc[3]) if not unicodedata.combining(c)
    )
    variants.iloc[3, variants.columns.get_loc("name_song")] = no_accents
    assert no_accents != src["name_song"].iloc[3]
    # Same title and artist with other features: another release of the same song, one entry.
    other_take = fresh_ids(sample.iloc[[8]], "take")
    other_take["energy"] = f"{float(other_take['energy'].iloc[0]) / 2:.3f}"
    # A live take with its own features is another version: a song of its own.
    live = fresh_ids(sample.iloc[[9]], "live")
    live["name_song"] = live["name_song"] + " - Live"
    live["liveness"] = "0.95"
    songs, report = load_with(sample, pd.concat([variants, other_take, live]), tmp_path)
    # Case and accents fold away (same song); the remaster and the lower-cased live tag have
    # the original's features (same recording).
    only(report, **{MERGE_SAME_SONG: 3, MERGE_SAME_RECORDING: 2})
    assert report.rows_kept == len(sample) + 1
    assert "live0000" in set(songs["id"])
    assert not any(i.startswith(("dup", "take")) for i in songs["id"])


def test_missing_and_non_numeric_features_are_dropped(sample, tmp_path):
    bad = fresh_ids(sample.iloc[[1, 2, 3, 4, 5]], "bad")
    bad.iloc[0, bad.columns.get_loc("energy")] = ""
    bad.iloc[1, bad.columns.get_loc("tempo")] = ""
    bad.iloc[2, bad.columns.get_loc("danceability")] = "abc"
    bad.iloc[3, bad.columns.get_loc("loudness")] = "n/a"
    bad.iloc[4, bad.columns.get_loc("valence")] = "0.5.1"
    songs, report = load_with(sample, bad, tmp_path)
    only(report, **{DROP_MISSING_FEATURE: 5})
    assert len(songs) == len(sample)
    assert np.isfinite(songs[list(AUDIO_FEATURES)].to_numpy()).all()


def test_out_of_range_features_are_dropped(sample, tmp_path):
    bad = fresh_ids(sample.iloc[[1, 2, 3, 4]], "range")
    bad.iloc[0, bad.columns.get_loc("energy")] = "1.5"
    bad.iloc[1, bad.columns.get_loc("tempo")] = "-12.5"
    bad.iloc[2, bad.columns.get_loc("duration_ms")] = "0"
    bad.iloc[3, bad.columns.get_loc("loudness")] = "20"
    # A tempo of 0 is what Spotify reports for beatless tracks: real, kept.
    zero_tempo = fresh_ids(sample.iloc[[9]], "zero")
    zero_tempo["tempo"] = "0"
    zero_tempo["name_song"] = "Beatless"
    songs, report = load_with(sample, pd.concat([bad, zero_tempo]), tmp_path)
    only(report, **{DROP_OUT_OF_RANGE: 4})
    assert "zero0000" in set(songs["id"])
    assert songs["energy"].max() <= 1.0 and songs["tempo"].min() >= 0.0


def test_missing_title_or_artist_is_dropped(sample, tmp_path):
    bad = fresh_ids(sample.iloc[[1, 2, 3]], "untitled")
    bad.iloc[0, bad.columns.get_loc("name_song")] = ""
    bad.iloc[1, bad.columns.get_loc("name_song")] = "   "
    bad.iloc[2, bad.columns.get_loc("name_artists")] = ""
    songs, report = load_with(sample, bad, tmp_path)
    only(report, **{DROP_MISSING_TITLE: 3})
    assert (songs["name"] != "").all()


def test_every_rule_at_once_counts_each_row_once(sample, tmp_path):
    """Rules apply in the reported order; a row broken two ways counts under the first."""
    extra = fresh_ids(sample.iloc[[1, 2, 3, 4, 5, 6]], "mix")
    extra.iloc[0, extra.columns.get_loc("name_song")] = ""
    extra.iloc[0, extra.columns.get_loc("energy")] = "abc"  # missing title wins
    extra.iloc[1, extra.columns.get_loc("energy")] = ""
    extra.iloc[1, extra.columns.get_loc("tempo")] = "-1"  # missing feature wins
    extra.iloc[2, extra.columns.get_loc("energy")] = "1.5"
    extra.iloc[3, extra.columns.get_loc("id_songs")] = sample["id_songs"].iloc[40]
    extra.iloc[3, extra.columns.get_loc("energy")] = "0.123"  # an id another title has: a source error
    # rows 4 and 5 are exact re-listings of real songs under new ids
    songs, report = load_with(sample, extra, tmp_path)
    only(
        report,
        **{
            DROP_MISSING_TITLE: 1,
            DROP_MISSING_FEATURE: 1,
            DROP_OUT_OF_RANGE: 1,
            DROP_ID_CONFLICT: 1,
            MERGE_SAME_SONG: 2,
        },
    )
    assert list(report.dropped) == list(ALL_REASONS)
    assert report.rows_dropped == 4 and report.rows_merged == 2 and report.rows_kept == len(sample)
    assert report.to_dict()["merged"][MERGE_SAME_SONG] == 2


def test_a_file_with_nothing_usable_is_refused(sample, tmp_path):
    frame = sample.head(5).copy()
    frame["energy"] = "2.0"
    with pytest.raises(CatalogError, match="no usable songs") as info:
        load_catalog(write_csv(frame, tmp_path / "bad.csv"))
    assert "5 audio features out of range" in str(info.value)


# -- quirks -----------------------------------------------------------------------------
def test_genres_list_string_becomes_a_tuple(sample, bundled):
    songs, _ = bundled
    by_id = songs.set_index("id")
    assert by_id.loc["7sZJnGa1a3iCm74SIiNRxU", "genres"] == (
        "latin",
        "latin alternative",
        "latin pop",
        "rock en espanol",
    )
    assert by_id.loc["0IA0Hju8CAgYfV1hwhidBH", "genres"] == ("vintage chanson",)
    assert sum(len(gs) == 0 for gs in songs["genres"]) == 82  # "[]" is no genre, not "[]"
    every = {g for gs in songs["genres"] for g in gs}
    assert not any(g.startswith("[") or g.endswith("]") or g.startswith("'") for g in every)
    assert "children's music" in every  # an apostrophe inside a genre survives parsing


def test_release_dates_become_years(sample, tmp_path):
    frame = sample.head(6).copy()
    frame["release_date"] = ["1922", "10-06-1997", "2001-03-04", "2012-07", "", "0000"]
    songs, _ = load_catalog(write_csv(frame, tmp_path / "dates.csv"))
    assert songs["year"].dtype == "Int64"
    assert songs["year"].tolist()[:4] == [1922, 1997, 2001, 2012]
    assert songs["year"].isna().tolist()[4:] == [True, True]


def test_bundled_dates_in_both_formats(bundled):
    songs, _ = bundled
    by_id = songs.set_index("id")
    assert by_id.loc["0IA0Hju8CAgYfV1hwhidBH", "year"] == 1922  # "1922"
    assert by_id.loc["7sZJnGa1a3iCm74SIiNRxU", "year"] == 1994  # "02-09-1994"
    assert songs["year"].notna().all()


def test_exponent_notation_is_read_as_a_number(bundled):
    songs, _ = bundled
    assert songs.set_index("id").loc["0IA0Hju8CAgYfV1hwhidBH", "instrumentalness"] == pytest.approx(1.55e-05)


def test_nfd_titles_are_shown_in_nfc(bundled, raw):
    songs, _ = bundled
    nfd = raw[raw["name_song"].map(lambda t: t != unicodedata.normalize("NFC", t))]
    assert len(nfd) == 3  # the bundled file really has decomposed titles
    by_id = songs.set_index("id")
    for _, row in nfd.iterrows():
        shown = by_id.loc[row["id_songs"], "name"]
        assert shown == unicodedata.normalize("NFC", row["name_song"])
        assert unicodedata.is_normalized("NFC", shown)
    assert by_id.loc["6yxnez3aQL45iO1YPUNog9", "name"] == "Öine Sõit"


def test_nfd_and_nfc_spellings_are_the_same_song(sample, tmp_path):
    row = sample[sample["id_songs"] == "1vZGQJBlMAPwPP7P2k3LbX"]
    nfc = fresh_ids(row, "nfc")
    nfc["name_song"] = unicodedata.normalize("NFC", row["name_song"].iloc[0])
    assert nfc["name_song"].iloc[0] != row["name_song"].iloc[0]
    _, report = load_with(sample, nfc, tmp_path)
    only(report, **{MERGE_SAME_SONG: 1})


def test_titles_with_quotes_and_commas_survive_a_csv_round_trip(sample, bundled, tmp_path):
    quoted = sample[sample["name_song"].str.contains('"') & sample["name_song"].str.contains(",")]
    assert len(quoted) >= 1
    frame = sample.copy()
    frame.loc[frame.index[0], "name_song"] = 'He said "Hi, there", then left; twice'
    frame.loc[frame.index[1], "name_artists"] = "Earth, Wind & Fire"
    songs, report = load_catalog(write_csv(frame, tmp_path / "quotes.csv"))
    assert report.rows_kept == len(frame)
    assert songs["name"].iloc[0] == 'He said "Hi, there", then left; twice'
    assert songs["artist"].iloc[1] == "Earth, Wind & Fire"
    assert songs["artists"].iloc[1] == ("Earth, Wind & Fire",)  # one artist, comma and all
    by_id = songs.set_index("id")
    for _, row in quoted.iterrows():
        assert by_id.loc[row["id_songs"], "name"] == row["name_song"]
    # Round trip of the canonical table itself (what the bot shows).
    again, _ = load_catalog(write_csv(sample, tmp_path / "again.csv"))
    again2, _ = load_catalog(
        write_csv(
            pd.read_csv(tmp_path / "again.csv", dtype=str, keep_default_na=False), tmp_path / "again2.csv"
        )
    )
    assert set(again["source"]) == {"again.csv"} and set(again2["source"]) == {"again2.csv"}
    pd.testing.assert_frame_equal(
        again.drop(columns=["source", "sources"]), again2.drop(columns=["source", "sources"])
    )


def test_titles_that_look_like_missing_values_are_kept(sample, tmp_path):
    frame = sample.head(3).copy()
    frame["name_song"] = ["NA", "null", "None"]
    songs, report = load_catalog(write_csv(frame, tmp_path / "na.csv"))
    assert report.rows_kept == 3
    assert songs["name"].tolist() == ["NA", "null", "None"]


def test_unknown_feature_list_is_refused_early(sample, tmp_path):
    path = write_csv(sample, tmp_path / "study.csv")
    with pytest.raises(ValueError, match="unknown audio feature"):
        load_catalog(path, features=("energy", "genres"))


def test_a_feature_subset_loads_only_those_features(sample, tmp_path):
    songs, _ = load_catalog(write_csv(sample, tmp_path / "study.csv"), features=("energy", "valence"))
    assert list(songs.columns)[-2:] == ["energy", "valence"]
    assert "tempo" not in songs.columns


# -- bad files ------------------------------------------------------------------------------
def _bad_files(tmp: Path, sample: pd.DataFrame) -> dict[str, tuple[Path, str]]:
    """name -> (path, text the one-line message must contain)."""
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "blank.csv").write_text("\n   \n\n", encoding="utf-8")
    sample.head(0).to_csv(tmp / "header_only.csv", index=False)
    sample.drop(columns=["energy", "name_song"]).to_csv(tmp / "missing_cols.csv", index=False)
    (tmp / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (tmp / "nulls.csv").write_bytes(b"\x00" * 512)
    latin = sample.head(20).copy()
    latin["name_song"] = "Ça c'est Paris"
    latin["name_artists"] = "Mistinguett"
    (tmp / "latin1.csv").write_bytes(latin.to_csv(index=False).encode("latin-1"))
    (tmp / "a_folder.csv").mkdir()
    (tmp / "fake.parquet").write_text("id_songs,name_song\n1,x\n", encoding="utf-8")
    return {
        "missing file": (tmp / "nope.csv", "not found"),
        "empty file": (tmp / "empty.csv", "empty"),
        "blank lines only": (tmp / "blank.csv", "empty"),
        "header only": (tmp / "header_only.csv", "header but no songs"),
        "missing columns": (tmp / "missing_cols.csv", "missing required column(s): name, energy"),
        "binary": (tmp / "binary.csv", "not UTF-8"),
        "nul bytes": (tmp / "nulls.csv", "missing required column"),
        "latin-1 text": (tmp / "latin1.csv", "not UTF-8"),
        "directory": (tmp / "a_folder.csv", "folder"),
        "not really parquet": (tmp / "fake.parquet", "could not read catalog"),
    }


BAD_FILE_CASES = [
    "missing file",
    "empty file",
    "blank lines only",
    "header only",
    "missing columns",
    "binary",
    "nul bytes",
    "latin-1 text",
    "directory",
    "not really parquet",
]


@pytest.mark.parametrize("case", BAD_FILE_CASES)
def test_bad_files_raise_a_one_line_catalog_error(case, sample, tmp_path):
    path, expected = _bad_files(tmp_path, sample)[case]
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and len(message) < 800
    assert isinstance(info.value, ValueError)  # CatalogError is a ValueError for callers
    if before is not None:
        assert path.read_bytes() == before  # reading never changes the user's file


def test_missing_columns_message_lists_known_layouts(sample, tmp_path):
    path = write_csv(sample.drop(columns=["energy", "name_song"]), tmp_path / "cols.csv")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    missing, found, could = re.match(
        r".*column\(s\): (.*?)\. Found: (.*?)\. They could be called — (.*)", message
    ).groups()
    assert missing == "name, energy"
    assert "name_artists" in found and "danceability" in found and "energy" not in found.split(", ")
    # What the missing ones go by in the tables we know, percentages included.
    for spelling in ("track_name", "track", "song", "title", "energy_%"):
        assert spelling in could
    assert "danceability" not in could  # only what is missing
