"""The ways people type a song, each resolved to the right song without asking.

Most cases run on the real bundled catalog (data/single_genre_artists_sample.csv). The
multi-artist cases run on a few real rows of the hits files (../shared/data, copied
here as they are in the files: several credited artists, "(feat. X)" in the title,
the same song credited with and without its guest, one title by several artists).
The per-form rates on held-out rows are measured by ``benchmarks/resolution.py``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from engine.resolver import SongResolver
from engine.text import fold


@pytest.fixture(scope="module")
def resolver(songs: pd.DataFrame) -> SongResolver:
    return SongResolver(songs)


def taken(res, name: str, artist: str) -> None:
    """The song was taken without asking (no select menu, no did-you-mean)."""
    assert res.status in ("exact", "fuzzy"), (res.query, res.status, res.candidates[:3])
    assert (res.best.name, res.best.artist) == (name, artist), (res.query, res.candidates[:3])


TANGO = ("Le Tango Neurasthénique", "Georgius")


@pytest.mark.parametrize(
    "query",
    [
        "le tango neurasthenique georgius",  # title artist, no accents, lowercase
        "georgius le tango neurasthenique",  # artist title
        "le tango neurasthenique by georgius",
        "georgius - le tango neurasthenique",
        "le tango neurasthenique, georgius",
        "georgius, le tango neurasthenique",
        "le tango neurasthenqiue georgius",  # typo in the title
        "le tango neurasthenique georgiuz",  # typo in the artist, no separator
        "georgis, le tnago neurasthenique",  # typos in both
    ],
)
def test_title_and_artist_in_any_order_with_typos(resolver: SongResolver, query: str) -> None:
    taken(resolver.resolve(query), *TANGO)


@pytest.mark.parametrize(
    "query",
    [
        "surf rider lively ones",  # "the" missing from the artist
        "the surf rider by the lively ones",  # "the" added to the title
        "lively ones - the surf rider",
    ],
)
def test_missing_or_extra_the(resolver: SongResolver, query: str) -> None:
    taken(resolver.resolve(query), "Surf Rider", "The Lively Ones")


@pytest.mark.parametrize(
    ("query", "name", "artist"),
    [
        (
            "teach me tonight remastered joe roland",
            "Teach Me Tonight - 2013 Remastered Version",
            "Joe Roland",
        ),
        ("heavenly fire remix", "Heavenly Fire", "The Souther-Hillman-Furay Band"),  # no remix in the catalog
        ("si tu eres mi hombre", "Si Tu Eres Mi Hombre y Yo Tu Mujer", "The New York Band"),  # first words
    ],
)
def test_version_words_and_first_words(resolver: SongResolver, query: str, name: str, artist: str) -> None:
    taken(resolver.resolve(query), name, artist)


def test_numbered_parts_with_a_typo_take_the_part_typed(resolver: SongResolver) -> None:
    # 36 parts of one audio book: "Teil 15" typed exactly is the answer even with the
    # artist misspelt, and even though "Teil 01" is one character away.
    for query in ("asterix und kleopatra teil 15 by astrix", "astrix asterix und kleopatra teil 15"):
        taken(resolver.resolve(query), "Asterix und Kleopatra - Teil 15", "Asterix")


def test_first_words_shared_by_many_parts_still_ask(resolver: SongResolver) -> None:
    res = resolver.resolve("asterix und kleopatra teil")
    assert res.status == "ambiguous" and len(res.candidates) > 1


# -- several credited artists (real rows of the hits files) --------------------------------
HITS_ROWS = [
    # id, name, artist (display), artists, year, popularity
    ("t1", "Titanium (feat. Sia)", "David Guetta, Sia", ("David Guetta", "Sia"), 2011, 77),
    ("t2", "No Lie", "Sean Paul", ("Sean Paul",), 2018, 84),
    ("t3", "No Lie", "Sean Paul, Dua Lipa", ("Sean Paul", "Dua Lipa"), 2018, 80),
    (
        "t4",
        "See You Again (feat. Kali Uchis)",
        "Tyler, The Creator, Kali Uchis",
        ("Tyler, The Creator", "Kali Uchis"),
        2017,
        85,
    ),
    ("t5", "See You Again (feat. Charlie Puth)", "Wiz Khalifa", ("Wiz Khalifa",), 2015, 81),
    ("t6", "Tainted Love", "Soft Cell", ("Soft Cell",), 1981, 80),
    ("t7", "Tainted Love", "Marilyn Manson", ("Marilyn Manson",), 2001, 58),
    ("t8", "Bad Day", "Daniel Powter", ("Daniel Powter",), 2005, 72),
    ("t9", "Bad Romance", "Lady Gaga", ("Lady Gaga",), 2009, 80),
    ("t10", "Scream & Shout", "will.i.am, Britney Spears", ("will.i.am", "Britney Spears"), 2012, 79),
]


@pytest.fixture(scope="module")
def hits() -> SongResolver:
    rows = pd.DataFrame(HITS_ROWS, columns=["id", "name", "artist", "artists", "year", "popularity"])
    return SongResolver(rows)


@pytest.mark.parametrize(
    ("query", "name", "artist"),
    [
        ("titanium ft sia", "Titanium (feat. Sia)", "David Guetta, Sia"),
        ("sia titanium", "Titanium (feat. Sia)", "David Guetta, Sia"),  # a credited guest
        ("scream shout feat britney spears", "Scream & Shout", "will.i.am, Britney Spears"),
        (
            "see you again tyler the creator",
            "See You Again (feat. Kali Uchis)",
            "Tyler, The Creator, Kali Uchis",
        ),
        (
            "tyler the creator - see you again",
            "See You Again (feat. Kali Uchis)",
            "Tyler, The Creator, Kali Uchis",
        ),
        ("see you again, wiz khalifa", "See You Again (feat. Charlie Puth)", "Wiz Khalifa"),
        ("tainted love marilyn mansn", "Tainted Love", "Marilyn Manson"),
        ("soft cel tainted love", "Tainted Love", "Soft Cell"),
    ],
)
def test_multi_artist_credits(hits: SongResolver, query: str, name: str, artist: str) -> None:
    taken(hits.resolve(query), name, artist)


def test_same_song_with_and_without_its_guest_is_one_song(hits: SongResolver) -> None:
    res = hits.resolve("no lie")
    assert res.status == "exact" and res.best.artist == "Sean Paul"  # the more popular credit


def test_real_ties_still_ask(hits: SongResolver) -> None:
    # "See You Again": Tyler, The Creator at popularity 85, Wiz Khalifa at 81: too close to tell.
    res = hits.resolve("see you again")
    assert res.status == "ambiguous", (res.status, res.candidates)
    assert {c.artist for c in res.candidates} == {"Tyler, The Creator, Kali Uchis", "Wiz Khalifa"}


@pytest.mark.parametrize("query", ["tainted love", "tainted lvoe"])
def test_the_song_people_mean_is_taken_when_it_is_clearly_the_most_popular(
    hits: SongResolver, query: str
) -> None:
    # "Tainted Love": Soft Cell at 80, Marilyn Manson's cover at 58.
    res = hits.resolve(query)
    taken(res, "Tainted Love", "Soft Cell")
    assert [c.artist for c in res.candidates] == ["Soft Cell", "Marilyn Manson"]


def test_a_word_fragment_is_not_read_as_an_artist(hits: SongResolver) -> None:
    # "ady" is part of "lady gaga", but not a word of it: "bad ady" is a typo of Bad Day.
    res = hits.resolve("bad ady")
    assert res.candidates and res.candidates[0].name == "Bad Day"
    assert not (res.found and res.best.name == "Bad Romance")


def test_without_an_artists_column_the_display_string_is_split(hits: SongResolver) -> None:
    rows = pd.DataFrame(HITS_ROWS, columns=["id", "name", "artist", "artists", "year", "popularity"])
    plain = SongResolver(rows.drop(columns=["artists"]))
    taken(plain.resolve("sia titanium"), "Titanium (feat. Sia)", "David Guetta, Sia")
    assert plain.resolve("no lie").status == "exact"


# -- famous titles on the default catalog (about 70,000 songs) -------------------------------
#: Titles people name with the song they mean. Written down before the popularity rule was run
#: on them (held out); "sunflower" is a known miss: Post Malone's is titled "Sunflower -
#: Spider-Man: Into the Spider-Verse", which a bare "sunflower" does not match exactly.
FAMOUS_HELD_OUT = {
    "halo": "Beyoncé",
    "umbrella": "Rihanna",
    "toxic": "Britney Spears",
    "lose yourself": "Eminem",
    "wonderwall": "Oasis",
    "bad guy": "Billie Eilish",
    "rockstar": "Post Malone",
    "hotline bling": "Drake",
    "uptown funk": "Mark Ronson",
    "royals": "Lorde",
    "counting stars": "OneRepublic",
    "titanium": "David Guetta",
    "starboy": "The Weeknd",
    "havana": "Camila Cabello",
    "payphone": "Maroon 5",
    "radioactive": "Imagine Dragons",
    "smooth": "Santana",
    "believe": "Cher",
    "numb": "Linkin Park",
    "clocks": "Coldplay",
    "yellow": "Coldplay",
    "rolling in the deep": "Adele",
    "someone like you": "Adele",
    "stressed out": "Twenty One Pilots",
    "thinking out loud": "Ed Sheeran",
    "perfect": "Ed Sheeran",
    "sunflower": "Post Malone",
    "circles": "Post Malone",
    "dance monkey": "Tones And I",
    "old town road": "Lil Nas X",
    "take on me": "a-ha",
    "africa": "TOTO",
    "billie jean": "Michael Jackson",
    "sweet child o mine": "Guns N' Roses",
    "smells like teen spirit": "Nirvana",
    "sweet caroline": "Neil Diamond",
    "dancing queen": "ABBA",
}


def _lead(artist: str) -> str:
    return fold(artist.split(", ")[0])


@pytest.mark.parametrize(
    ("query", "artist"),
    [
        ("blinding lights", "The Weeknd"),
        ("bohemian rhapsody", "Queen"),
        ("heat waves", "Glass Animals"),
        ("mr brightside", "The Killers"),
        ("every breath you take", "The Police"),
        ("closer", "The Chainsmokers"),
        ("faded", "Alan Walker"),
        ("sorry", "Justin Bieber"),
        # "Pharrell" is an artist of its own there: the name typed also stands for the
        # longer names it begins ("Pharrell Williams").
        ("happy by pharrell", "Pharrell Williams"),
        ("happy pharrell", "Pharrell Williams"),
    ],
)
def test_songs_people_name_are_taken_on_the_default_catalog(default_engine, query: str, artist: str) -> None:
    res = default_engine.search(query)
    assert res.found and _lead(res.best.artist) == fold(artist), (res.status, res.candidates[:3])


def test_a_real_tie_on_the_default_catalog_asks(default_engine) -> None:
    res = default_engine.search("stay")
    assert res.ambiguous
    leads = {_lead(c.artist) for c in res.candidates[:4]}
    assert {"zedd", "post malone", "the kid laroi"} <= leads


def test_famous_titles_held_out_take_or_offer_the_song_people_mean(default_engine) -> None:
    taken = asked = 0
    wrong = []
    for query, artist in FAMOUS_HELD_OUT.items():
        res = default_engine.search(query)
        first = res.candidates[0] if res.candidates else None
        if res.found and first is not None and _lead(first.artist) == fold(artist):
            taken += 1
        elif res.ambiguous and any(_lead(c.artist) == fold(artist) for c in res.candidates):
            asked += 1  # asked, the song people mean among the choices
        else:
            wrong.append(query)
    assert wrong == ["sunflower"], wrong
    assert taken >= 30 and taken + asked == len(FAMOUS_HELD_OUT) - 1
