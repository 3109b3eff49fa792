"""The three larger public tables, read as they are: their quirks, merges and popularity.

Runs on real rows of the bundled files (data/*.csv.gz): slices of them written to a
temporary folder, so each test loads a few hundred rows, not 80,000. No mocks.
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.catalog import (
    BASIS_HIT,
    BASIS_SPOTIFY,
    BASIS_STREAMS,
    BASIS_UNKNOWN,
    DROP_ID_CONFLICT,
    DROP_NA_ROW,
    MERGE_SAME_ID,
    MERGE_SAME_SONG,
    CatalogError,
    load_catalog,
    split_artists,
)
from engine.catalog.artists import ArtistVocabulary, title_guests
from engine.features import AUDIO_FEATURES
from engine.paths import DEFAULT_CATALOG_FILES

FILES = {p.name.split("_")[0]: p for p in DEFAULT_CATALOG_FILES}
TIDY, CHARTS, HITS = FILES["tidytuesday"], FILES["spotify"], FILES["hit"]


def raw(path: Path) -> pd.DataFrame:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def tidy_raw() -> pd.DataFrame:
    return raw(TIDY)


@pytest.fixture(scope="module")
def charts_raw() -> pd.DataFrame:
    return raw(CHARTS)


@pytest.fixture(scope="module")
def hits_raw() -> pd.DataFrame:
    return raw(HITS)


def write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


# -- TidyTuesday: one row per (track, playlist) ----------------------------------------------
def test_tidytuesday_rows_of_one_track_become_one_song_with_its_playlists(tidy_raw, tmp_path):
    repeated = tidy_raw["track_id"].value_counts()
    track = repeated.index[0]
    rows = tidy_raw[tidy_raw["track_id"] == track]
    assert len(rows) >= 5
    frame = pd.concat([rows, tidy_raw.iloc[:200]], ignore_index=True)
    songs, report = load_catalog(write(frame, tmp_path / "tidy.csv"))
    song = songs[songs["id"] == track].iloc[0]
    # every playlist, ids and names side by side, and each playlist's genre and subgenre
    assert set(song["playlists"]) == set(rows["playlist_id"])
    assert dict(zip(song["playlists"], song["playlist_names"])) == dict(
        zip(rows["playlist_id"], rows["playlist_name"])
    )
    assert set(rows["playlist_genre"]) | set(rows["playlist_subgenre"]) <= set(song["genres"])
    assert report.merged[MERGE_SAME_ID] >= len(rows) - 1
    assert report.layout == "tidytuesday" and report.columns["artist"] == "track_artist (one)"


def test_tidytuesday_na_rows_and_three_date_forms(tidy_raw, tmp_path):
    na = tidy_raw[(tidy_raw["track_name"] == "NA") & (tidy_raw["track_artist"] == "NA")]
    assert len(na) == 5
    forms = {
        "YYYY-MM-DD": tidy_raw[tidy_raw["track_album_release_date"].str.len() == 10].head(3),
        "YYYY-MM": tidy_raw[tidy_raw["track_album_release_date"].str.len() == 7].head(3),
        "YYYY": tidy_raw[tidy_raw["track_album_release_date"].str.len() == 4].head(3),
    }
    frame = pd.concat([na, *forms.values()], ignore_index=True)
    songs, report = load_catalog(write(frame, tmp_path / "tidy.csv"))
    assert report.dropped == {DROP_NA_ROW: 5}
    for form, rows in forms.items():
        assert report.quirks[f"release date as {form}"] >= 3
        for _, row in rows.iterrows():
            got = songs.loc[songs["id"] == row["track_id"], "year"]
            assert got.iloc[0] == int(row["track_album_release_date"][:4]), form
    # R's NA alone in a title (a song may be called "NA") is a title, as before
    assert songs["name"].ne("NA").all()


def test_tidytuesday_guests_in_titles_join_the_artists(tidy_raw, tmp_path):
    row = tidy_raw[tidy_raw["track_name"].str.contains(r"\(with Justin Bieber\)")].head(1)
    songs, report = load_catalog(write(row, tmp_path / "tidy.csv"))
    assert songs["artists"].iloc[0] == (row["track_artist"].iloc[0], "Justin Bieber")
    assert title_guests("Dangerous (feat. Sam Martin)") == ("Sam Martin",)
    assert title_guests("Without Me") == ()


# -- the chart file: note names, Major/Minor, text metres, streams -----------------------------
def test_chart_keys_modes_and_time_signatures(charts_raw, tmp_path):
    sample = charts_raw.head(300)
    songs, report = load_catalog(write(sample, tmp_path / "charts.csv"))
    by_id = songs.set_index("id")
    notes = {"C": 0, "C#/Db": 1, "D": 2, "D#/Eb": 3, "E": 4, "F": 5, "F#/Gb": 6, "G": 7}
    notes |= {"G#/Ab": 8, "A": 9, "A#/Bb": 10, "B": 11}
    checked = 0
    for _, row in sample.iterrows():
        if row["id"] in by_id.index:
            song = by_id.loc[row["id"]]
            assert song["key"] == notes[row["key"]]
            assert song["mode"] == (1 if row["mode"] == "Major" else 0)
            beats = int(row["time_signature"].split()[0])
            assert (pd.isna(song["time_signature"]) and beats < 3) or song["time_signature"] == beats
            checked += 1
    assert checked > 200
    assert report.quirks["key as a note name (C#/Db -> 1)"] == 300
    assert report.layout == "charts" and "source" not in report.columns  # the label, not a genre


def test_chart_releases_of_one_song_merge_and_add_their_streams(charts_raw, tmp_path):
    dup = charts_raw[charts_raw.duplicated(["track_name", "artist_names"], keep=False)]
    first = dup.iloc[0]
    copies = dup[(dup["track_name"] == first["track_name"]) & (dup["artist_names"] == first["artist_names"])]
    songs, report = load_catalog(write(copies, tmp_path / "charts.csv"))
    assert len(songs) == 1 and report.merged[MERGE_SAME_SONG] == len(copies) - 1
    assert songs["streams"].iloc[0] == copies["streams"].astype(float).sum()
    assert songs["weeks_on_chart"].iloc[0] == copies["weeks_on_chart"].astype(float).max()
    # no popularity file to calibrate streams against: unknown, never 0
    assert math.isnan(songs["popularity"].iloc[0]) and songs["popularity_basis"].iloc[0] == BASIS_UNKNOWN


# -- the Hit Predictor: URIs, decades, guests in the artist -------------------------------------
def test_hit_predictor_uris_decades_and_source_errors(hits_raw, tmp_path):
    sample = hits_raw.groupby("decade").head(40)
    songs, report = load_catalog(write(sample, tmp_path / "hits.csv"))
    assert songs["id"].str.fullmatch(r"[0-9A-Za-z]{22}").all()
    assert songs["year"].isna().all()  # the decade is the only date
    assert set(songs["decade"].dropna().astype(int)) == {1960, 1970, 1980, 1990, 2000, 2010}
    assert report.quirks["id from a spotify:track: URI or open.spotify.com link"] == len(sample)
    # "Take Care" carries the id of "Marvins Room" in this file: the first keeps it
    pair = hits_raw[hits_raw["uri"] == "spotify:track:047fCsbO4NdmwCBn8pcUXl"]
    assert set(pair["track"]) == {"Marvins Room", "Take Care"}
    songs, report = load_catalog(write(pair, tmp_path / "pair.csv"))
    assert report.dropped == {DROP_ID_CONFLICT: 1} and songs["name"].tolist() == ["Marvins Room"]


def test_guests_and_joined_names_are_split_only_with_evidence():
    vocabulary = ArtistVocabulary()
    vocabulary.add(["Marvin Gaye", "Tammi Terrell", "Shawn Mendes", "Zedd", "Simon", "Wind"], "credit")
    vocabulary.add(["Wisin & Yandel", "Wisin", "Yandel"], "one")
    vocabulary.finish()

    def split(credit: str) -> tuple[str, ...]:
        return split_artists(credit, vocabulary, "credit")

    assert split("Elvin Bishop Featuring Mickey Thomas") == ("Elvin Bishop", "Mickey Thomas")
    assert split("Marvin Gaye & Tammi Terrell") == ("Marvin Gaye", "Tammi Terrell")
    assert split("Shawn Mendes X Zedd") == ("Shawn Mendes", "Zedd")
    assert split("Simon & Garfunkel") == ("Simon & Garfunkel",)  # no "Garfunkel" alone
    assert split("Wisin & Yandel") == ("Wisin & Yandel",)  # one artist where a field names one
    assert split("Earth, Wind & Fire") == ("Earth, Wind & Fire",)
    assert split("Grover Washington, Jr.") == ("Grover Washington, Jr.",)
    assert split("Lil Nas X Featuring Billy Ray Cyrus") == ("Lil Nas X", "Billy Ray Cyrus")


# -- across files ---------------------------------------------------------------------------------
def test_one_song_in_three_files_keeps_the_best_facts_of_each(tidy_raw, charts_raw, hits_raw, tmp_path):
    ids = (
        set(tidy_raw["track_id"])
        & set(charts_raw["id"])
        & set(hits_raw["uri"].str.removeprefix("spotify:track:"))
    )
    song_id = sorted(ids)[0]
    folder = tmp_path / "three"
    folder.mkdir()
    write(tidy_raw[tidy_raw["track_id"] == song_id], folder / "a_tidy.csv")
    write(charts_raw[charts_raw["id"] == song_id], folder / "b_charts.csv")
    write(hits_raw[hits_raw["uri"] == f"spotify:track:{song_id}"], folder / "c_hits.csv")
    songs, report = load_catalog(folder)
    assert len(songs) == 1 and report.merged[MERGE_SAME_ID] == 2
    song = songs.iloc[0]
    assert song["sources"] == ("a_tidy.csv", "b_charts.csv", "c_hits.csv")
    assert song["year"] > 1900 and song["playlists"] and song["genres"]  # from TidyTuesday
    assert song["streams"] > 0 and song["hit"] in (0.0, 1.0)  # from the charts and the Hit Predictor
    assert song["popularity_basis"] == BASIS_SPOTIFY  # TidyTuesday's own figure wins over estimates


def test_versions_stay_separate_songs(tidy_raw, tmp_path):
    remix = tidy_raw[tidy_raw["track_name"].str.contains(" - .*Remix", regex=True)].head(1)
    base = remix["track_name"].iloc[0].split(" - ")[0]
    frame = remix.copy()
    original = remix.copy()
    original["track_id"] = "0" * 22
    original["track_name"] = base
    original["energy"] = "0.123"
    songs, report = load_catalog(write(pd.concat([frame, original]), tmp_path / "v.csv"))
    assert len(songs) == 2 and not report.merged


def test_popularity_is_estimated_where_a_file_says_it_otherwise(default_engine):
    songs = default_engine.model.songs_
    report = default_engine.model.cleaning_report_
    basis = songs["popularity_basis"]
    assert set(basis) <= {BASIS_SPOTIFY, BASIS_STREAMS, BASIS_HIT, BASIS_UNKNOWN}
    assert (basis == BASIS_SPOTIFY).sum() > 30_000 and (basis == BASIS_STREAMS).sum() > 3_000
    assert np.isfinite(songs["popularity"]).all() and songs["popularity"].between(0, 100).all()
    streams = songs[basis == BASIS_STREAMS]
    # monotone in streams: more streams never give a lower estimate
    ordered = streams.sort_values("streams")["popularity"].to_numpy()
    assert (np.diff(ordered) >= -1e-9).all()
    hits = songs[basis == BASIS_HIT]
    assert hits.groupby("hit")["popularity"].mean()[1.0] > hits.groupby("hit")["popularity"].mean()[0.0]
    checks = report.popularity["checks"]
    assert any(c.startswith("streams: calibrated on") and "held-out" in c for c in checks)


# -- a user's own variant of these tables ---------------------------------------------------------
def test_a_variant_with_other_headers_and_percentages_loads(charts_raw, tmp_path):
    frame = charts_raw.head(50).rename(
        columns={"track_name": "Song", "artist_names": "Artist(s) Name", "tempo": "bpm"}
    )
    for feature in ("danceability", "energy", "valence"):
        frame[f"{feature}_%"] = (frame.pop(feature).astype(float) * 100).round(1)
    songs, report = load_catalog(write(frame, tmp_path / "variant.csv"))
    plain, _ = load_catalog(write(charts_raw.head(50), tmp_path / "plain.csv"))
    for feature in AUDIO_FEATURES:
        np.testing.assert_allclose(songs[feature], plain[feature], atol=1e-3)
    assert report.columns["danceability"] == "danceability_% (percent, /100)"
    assert report.quirks["audio features as percentages (danceability_% 80 -> 0.80)"] == 150


def test_a_table_it_cannot_read_names_what_it_found_and_what_it_lacks(charts_raw, tmp_path):
    frame = charts_raw.head(5).drop(columns=["track_name", "loudness"])
    with pytest.raises(CatalogError) as info:
        load_catalog(write(frame, tmp_path / "lacking.csv"))
    message = str(info.value)
    assert "missing required column(s): name, loudness" in message
    assert "Found: id, artist_names," in message
    assert "track_name" in message and "song" in message and "loudness_db" in message
