"""Recognise a song table's columns by the names such tables commonly use.

Public Spotify-features tables differ in their headers, not in what they hold: a title
is ``track``, ``track_name``, ``song`` or ``name``; artists are ``artist``, ``artists``,
``track_artist``, ``artist_name`` or ``artist_names``; a feature may come as a share
(``danceability``) or a percentage (``danceability_%``). Reading by role rather than by
a fixed list of layouts lets a user's own variant of these tables load without a code
change, and a table that cannot be read gets an error naming the columns it found, the
ones it lacks and what they could be called.

Header names are compared normalised: lower case, spaces and hyphens as ``_``, and a
percent marker (``%``, ``_%``, ``(%)``, ``_pct``, ``_percent``) taken off and remembered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..features import AUDIO_FEATURES
from ..paths import CatalogError

#: Role -> the header names it goes by, in priority order (normalised, see :func:`normalise_header`).
ROLE_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id_songs", "track_id", "id", "song_id", "spotify_id", "uri", "track_uri", "spotify_uri"),
    "name": ("name_song", "track_name", "track", "song", "name", "song_name", "title", "track_title"),
    "artist": (
        "name_artists",
        "artists",
        "artist_names",
        "track_artist",
        "artist_name",
        "artist",
        "artist(s)_name",
        "performer",
    ),
    "genres": ("genres", "track_genre", "genre", "artist_genres"),
    "playlist_genre": ("playlist_genre",),
    "playlist_subgenre": ("playlist_subgenre",),
    "playlist_id": ("playlist_id",),
    "playlist_name": ("playlist_name",),
    "release": (
        "release_date",
        "album_release_date",
        "track_album_release_date",
        "year",
        "released_year",
        "release_year",
    ),
    "decade": ("decade",),
    "popularity": ("popularity_songs", "popularity", "track_popularity", "song_popularity"),
    "streams": ("streams", "total_streams"),
    "weeks_on_chart": ("weeks_on_chart", "weeks_on_charts"),
    "hit": ("target", "hit", "is_hit"),
    "explicit": ("explicit",),
    "key": ("key",),
    "mode": ("mode",),
    "time_signature": ("time_signature",),
}

#: Audio feature -> its names (a percentage variant such as ``danceability_%`` is recognised too).
FEATURE_ALIASES: dict[str, tuple[str, ...]] = {
    **{feature: (feature,) for feature in AUDIO_FEATURES},
    "tempo": ("tempo", "bpm"),
    "loudness": ("loudness", "loudness_db"),
    "duration_ms": ("duration_ms", "duration_s", "duration_sec", "duration_seconds", "duration"),
}

#: Header names whose duration is in seconds (``duration`` alone is decided by its values).
SECONDS_HEADERS = frozenset({"duration_s", "duration_sec", "duration_seconds"})

#: How an artist column writes its artists: ``one`` artist as Spotify names it (spotifyr's
#: ``track_artist``), a ``list`` of Spotify artists, or a free-text ``credit`` that may be a
#: comma list ("Future, Drake, Tems") or a chart credit ("Elvin Bishop Featuring Mickey Thomas").
ARTIST_KINDS: dict[str, str] = {
    "track_artist": "one",
    "artist_name": "one",
    "name_artists": "list",
    "artists": "list",
    "artist_names": "list",
    "artist(s)_name": "list",
}

#: Marker columns of the public tables we have met, only to *name* a file's layout in reports.
KNOWN_LAYOUTS: dict[str, tuple[str, ...]] = {
    "study (single_genre_artists.csv)": ("id_songs", "name_song", "name_artists"),
    "tidytuesday (spotify_songs.csv, 2020-01-21)": ("track_id", "track_artist", "playlist_id"),
    "tracks dataset (114k, track_genre)": ("track_id", "track_name", "artists"),
    "charts (spotify_top_songs_audio_features.csv)": ("artist_names", "weeks_on_chart", "streams"),
    "hit predictor (dataset-of-00s.csv …)": ("track", "artist", "uri", "target"),
    "600k tracks / data.csv (id, name, artists)": ("id", "name", "artists"),
    "hits (top_hits_2000_2019.csv, well_known_songs.csv)": ("artist", "song", "genre"),
}

#: The canonical columns a table must provide (besides the audio features).
REQUIRED_ROLES = ("name", "artist")

_PERCENT = re.compile(r"[\s_]*(?:\(%\)|%|pct|percent)$")


def normalise_header(header: object) -> tuple[str, bool]:
    """``(name, is_percent)``: lower case, spaces and hyphens as ``_``, percent marker taken off."""
    text = re.sub(r"[\s\-]+", "_", str(header).strip().lower())
    stripped = _PERCENT.sub("", text)
    return stripped.strip("_") or text, stripped != text


@dataclass
class Layout:
    """Which of a table's columns plays which role, and how to read it."""

    #: Role (or audio feature) -> the table's own column name.
    columns: dict[str, str] = field(default_factory=dict)
    #: Features given as percentages (0..100) rather than shares (0..1).
    percent: set[str] = field(default_factory=set)
    #: Features whose duration header says seconds.
    seconds: set[str] = field(default_factory=set)
    #: How the artist column writes artists (see :data:`ARTIST_KINDS`).
    artist_kind: str = "credit"
    #: A readable name for reports: a known public table, else "custom".
    name: str = "custom"

    def has(self, role: str) -> bool:
        return role in self.columns

    def described(self) -> dict[str, str]:
        """Role -> column as the report shows it (percent and seconds columns say so)."""
        out = {}
        for role, col in self.columns.items():
            how = (
                " (percent, /100)"
                if role in self.percent
                else " (seconds, x1000)"
                if role in self.seconds
                else ""
            )
            out[role] = f"{col}{how}"
        if "artist" in self.columns:
            out["artist"] += f" ({self.artist_kind})"
        return out


def recognise(headers: list[str], features: tuple[str, ...], source: str) -> Layout:
    """The :class:`Layout` of a table with these headers, or a :class:`CatalogError` saying
    which columns it found, which it lacks and what they could be called."""
    # normalised name (+ "%" for a percentage column) -> (the header as written, is percent)
    normalised: dict[str, tuple[str, bool]] = {}
    for header in headers:
        name, percent = normalise_header(header)
        normalised.setdefault(name + "%" if percent else name, (header, percent))
    layout = Layout()
    taken: set[str] = set()

    def pick(role: str, aliases: tuple[str, ...], allow_percent: bool) -> None:
        for alias in aliases:
            for key in (alias, alias + "%") if allow_percent else (alias,):
                hit = normalised.get(key)
                if hit and hit[0] not in taken:
                    layout.columns[role] = hit[0]
                    taken.add(hit[0])
                    if hit[1]:
                        layout.percent.add(role)
                    if alias in SECONDS_HEADERS:
                        layout.seconds.add(role)
                    if role == "artist":
                        layout.artist_kind = ARTIST_KINDS.get(alias, "credit")
                    return

    # Titles and artists first: "name" must not take a column an artist alias wants, and
    # features before the optional roles ("key" is not a feature, "energy" is).
    for role in REQUIRED_ROLES:
        pick(role, ROLE_ALIASES[role], allow_percent=False)
    for feature in features:
        pick(feature, FEATURE_ALIASES.get(feature, (feature,)), allow_percent=True)
    for role, aliases in ROLE_ALIASES.items():
        if role not in layout.columns:
            pick(role, aliases, allow_percent=False)
    missing = [r for r in (*REQUIRED_ROLES, *features) if r not in layout.columns]
    if missing:
        raise CatalogError(_missing_message(source, headers, missing), names_fix=True)
    layout.name = layout_name(headers)
    return layout


def layout_name(headers: list[str]) -> str:
    """The short name of the known public table these headers look like, else "custom"."""
    lower = {normalise_header(h)[0] for h in headers}
    for name, marks in KNOWN_LAYOUTS.items():
        if all(m in lower for m in marks):
            return name.split(" (")[0]
    return "custom"


def _missing_message(source: str, headers: list[str], missing: list[str]) -> str:
    shown = [str(h)[:40] for h in headers[:25]]
    found = ", ".join(shown) + (f", … ({len(headers)} in all)" if len(headers) > 25 else "")
    could = "; ".join(f"{role}: {' / '.join(_spellings(role))}" for role in missing[:6])
    return (
        f"{source} is missing required column(s): {', '.join(missing)}. "
        f"Found: {found or 'no columns'}. They could be called — {could}"
    )


def _spellings(role: str) -> list[str]:
    names = list(ROLE_ALIASES.get(role) or FEATURE_ALIASES.get(role, (role,)))
    if role in FEATURE_ALIASES and role not in ("tempo", "loudness", "duration_ms"):
        names.append(f"{role}_%")
    return names
