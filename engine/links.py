"""Where people can listen to a song: its Spotify track page, or a Spotify search.

Catalogs built from Spotify exports carry the track id (the study's ``id_songs``, the
tracks dataset's ``track_id``, the 600k file's ``id``): 22 base-62 characters, which
make a direct track link. Songs without one (the hits lists, ids derived from artist +
title) get a search for "title artist" instead, which still lands on the song in one
click. Every character of the title and artist is percent-encoded, so a link built
from catalog text can never break out of the markdown or the URL it is put in.
"""

from __future__ import annotations

import re
from urllib.parse import quote

#: A Spotify track id: exactly 22 characters of [0-9A-Za-z].
SPOTIFY_TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")
TRACK_URL = "https://open.spotify.com/track/"
SEARCH_URL = "https://open.spotify.com/search/"
#: Longest search text put in a link; titles beyond it gain nothing in a search box.
MAX_SEARCH_CHARS = 120


def is_spotify_track_id(song_id: str) -> bool:
    """True when ``song_id`` has the form of a Spotify track id."""
    return bool(SPOTIFY_TRACK_ID.fullmatch(song_id or ""))


def listen_url(song_id: str, title: str, artist: str) -> str:
    """The Spotify track page for a Spotify id, else a Spotify search for title and artist."""
    if is_spotify_track_id(song_id):
        return TRACK_URL + song_id
    words = " ".join(f"{title} {artist}".split())[:MAX_SEARCH_CHARS]
    return SEARCH_URL + quote(words, safe="")
