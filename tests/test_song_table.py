"""The shared song table and the one label formatter, on the bundled catalog.

What a user would notice if these drifted apart: a song listed under one label in a reply
and another in the autocomplete or the select menu, or an id the resolver knows that the
recommender cannot exclude.
"""

from __future__ import annotations

import pytest

from bot.conversation.render import markdown_label, plain_label
from engine.recommend import Recommender
from engine.resolver import LABEL_MAX_CHARS, SongResolver
from engine.song_table import SongTable, song_label, utf16_len


def test_one_table_is_shared(engine) -> None:
    table = engine.table
    assert engine.resolver.table is table and engine.recommender.table is table
    assert len(table) == engine.n_songs
    # one id -> row map: what the resolver finds by id is what the recommender excludes
    for row in (0, 17, engine.n_songs - 1):
        song_id = table.ids[row]
        assert engine.resolver.by_id(song_id) == table.row_of_id[song_id] == row
        assert engine.recommender.index_of_id[song_id] == row


def test_the_standalone_constructors_still_build_their_table(model) -> None:
    rec = Recommender(model)
    resolver = SongResolver(model.songs_)
    assert rec.ids == resolver.table.ids and rec.table.row_of_id == resolver.table.row_of_id
    with pytest.raises(ValueError):
        SongResolver(model.songs_, table=SongTable.from_songs(model.songs_.iloc[:5]))


def test_every_label_of_a_song_reads_the_same(engine) -> None:
    song = engine.find_song("la java")
    expected = "La Java — Mistinguett (1922)"
    assert song.label() == expected
    assert engine.resolver.label(song.index) == expected
    assert engine.table.label(song.index) == expected
    assert markdown_label(song) == expected  # nothing in it needs escaping
    assert plain_label(song.name, song.artist, song.year) == expected
    assert engine.complete_song("la java")[0][0] == expected


def test_labels_without_a_year_and_within_a_limit() -> None:
    assert song_label("Song A", "Artist") == "Song A — Artist"
    assert song_label("Song A", "Artist", 1999) == "Song A — Artist (1999)"
    long = song_label("T" * 300, "A" * 300, 2000, limit=LABEL_MAX_CHARS)
    assert utf16_len(long) <= LABEL_MAX_CHARS and long.endswith("… (2000)") and "T…" in long
    emoji = song_label("🎵" * 80, "Z", 2001, limit=LABEL_MAX_CHARS)
    assert utf16_len(emoji) <= LABEL_MAX_CHARS and emoji.endswith(" — Z (2001)")
    assert song_label("Short", "Artist", 1990, limit=LABEL_MAX_CHARS) == "Short — Artist (1990)"
