"""Split an artist field into the artists it names, deciding from the data what is one name.

Tables write several artists in several ways: a Python-list string (``['A', 'B']``), a
``;`` list, a comma list (``Future, Drake, Tems``), and chart credits with the guests
written into the artist (``Elvin Bishop Featuring Mickey Thomas``, ``Shawn Mendes X
Zedd``, ``Marvin Gaye & Tammi Terrell``). But ``&``, ``and``, ``x``, ``+`` and even the
comma also occur *inside* names: "Earth, Wind & Fire", "Tyler, The Creator", "Simon &
Garfunkel", "Captain Beefheart & His Magic Band", "Dan + Shay", "Lil Nas X".

No fixed list can know them all, so the split is decided with evidence from the catalog
itself (:class:`ArtistVocabulary`, built over every file before any is cleaned):

* ``Featuring`` / ``feat.`` / ``ft.`` always separate a guest;
* a comma separates artists, except inside a name known whole (a comma name seen as one
  artist where a field holds exactly one, or in :data:`COMMA_ARTIST_NAMES`), and before a
  ``Jr.``-style suffix;
* ``&``, ``and``, ``x``, ``+``, ``with``, ``/`` separate artists only when every part is
  itself credited alone somewhere in the catalog *and* the whole is not known as one
  artist: "Marvin Gaye & Tammi Terrell" splits (both sing alone elsewhere), "Simon &
  Garfunkel" does not (no "Garfunkel" alone), nor does "Wisin & Yandel" (Spotify names
  that duo as one artist in the TidyTuesday file).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..text import clean_display, fold
from .values import literal_list

#: Artist names that contain a comma themselves, known without looking at the data (a
#: user's single file may hold them without any evidence); the vocabulary adds the rest.
COMMA_ARTIST_NAMES: tuple[str, ...] = (
    "Tyler, The Creator",
    "Earth, Wind & Fire",
    "Crosby, Stills, Nash & Young",
    "Crosby, Stills & Nash",
    "Emerson, Lake & Palmer",
    "Peter, Paul and Mary",
    "Blood, Sweat & Tears",
)

#: Guest markers: always a separator (no artist is named "X Featuring Y" on purpose).
_GUEST = re.compile(
    r"\s+(?:featuring|feat\.?|ft\.?|duet\s+with)\s+|\s*\((?:duet\s+)?(?:with|feat\.?|featuring)\s+", re.I
)
#: Words that may join two artists or be part of one name.
_JOINER = re.compile(r"\s+(?:&|and|x|\+|with|/|vs\.?)\s+", re.I)
#: A comma piece that is a suffix of the name before it ("Grover Washington, Jr.").
_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv)\.?$", re.I)

_DEFAULT_COMMA_FOLDED = [(fold(n), n.count(",")) for n in COMMA_ARTIST_NAMES]
_DEFAULT_COMMA_TABLE = sorted(_DEFAULT_COMMA_FOLDED, key=lambda t: (-t[1], t[0]))

QUIRK_TITLE_GUEST = "guest named in the title ('(feat. X)', '(with X)') added to the artists"
QUIRK_GUEST = "artist credit with a guest (Featuring / feat. / ft.) split into artists"
QUIRK_JOINED = "artist credit split at & / and / x / + / with (each part credited alone elsewhere)"
QUIRK_KEPT_WHOLE = "artist name with & / and / x / + kept whole (no evidence it is two artists)"


@dataclass
class ArtistVocabulary:
    """Folded artist names the catalog's files vouch for.

    ``whole``: names known to be *one* artist although they may contain a joiner or a comma
    (an item of a list field, the value of a one-artist field). ``alone``: names credited
    with nothing else in their field (no joiner, no comma, no guest).
    """

    whole: set[str] = field(default_factory=set)
    alone: set[str] = field(default_factory=set)
    #: Original spellings of comma names the data vouches for (matched folded).
    comma_names: list[str] = field(default_factory=list)
    #: (folded name, commas in it) of every known comma name, most commas first (see :meth:`finish`).
    comma_table: list[tuple[str, int]] = field(default_factory=lambda: list(_DEFAULT_COMMA_TABLE))
    #: Comma names seen in one-artist fields, judged by :meth:`finish` once every file is read.
    _comma_candidates: set[str] = field(default_factory=set)

    def knows(self, folded: str) -> bool:
        return folded in self.whole or folded in self.alone

    def add(self, values: Iterable[str], kind: str) -> ArtistVocabulary:
        """Learn from one artist column written the ``kind`` way (see engine.catalog.layout);
        call :meth:`finish` after the last column."""
        commas = self._comma_candidates
        for value in dict.fromkeys(values):
            items = literal_list(value)
            if items is None and ";" in value:
                items = [clean_display(x) for x in value.split(";")]
            if items is not None:
                for item in items:
                    self._learn(item, list_item=True)
                continue
            text = clean_display(value)
            if kind == "one":
                self._learn(text, list_item=True)
                if "," in text:
                    commas.add(text)
                continue
            # A list field's items are artists as Spotify names them; a credit's pieces between
            # guest markers and commas are names, or several joined by & / and / x.
            pieces = [p.strip().rstrip(")").strip() for p in _GUEST.sub(",", text).split(",")]
            for piece in pieces:
                self._learn(piece, list_item=kind == "list")
        return self

    def finish(self) -> ArtistVocabulary:
        """Judge the comma names once every column is in (so the order of files changes nothing).

        A comma name from a one-artist field is a name only if its parts are not all artists
        credited alone ("Tyler, The Creator" yes; "50 Cent, DJ Whoo Kid" would be two).
        """
        self.comma_names = sorted(
            name
            for name in self._comma_candidates
            if not all(p in self.alone for p in (fold(x) for x in name.split(",")) if p)
        )
        known = dict(_DEFAULT_COMMA_FOLDED)
        known.update((fold(n), n.count(",")) for n in self.comma_names)
        self.comma_table = sorted(known.items(), key=lambda t: (-t[1], t[0]))
        return self

    def _learn(self, name: str, list_item: bool) -> None:
        folded = fold(name)
        if not folded:
            return
        if list_item:
            self.whole.add(folded)
        if not _JOINER.search(name) and "," not in name:
            self.alone.add(folded)


#: A guest credited in the title: "(feat. X)", "[with X]", " ft. X" at the end.
_TITLE_GUEST = re.compile(
    r"[\(\[]\s*(?:feat\.?|ft\.?|featuring|with)\s+([^\)\]]+)[\)\]]|\s(?:feat\.?|ft\.?|featuring)\s+(.+)$",
    re.I,
)


def title_guests(title: str, vocabulary: ArtistVocabulary | None = None) -> tuple[str, ...]:
    """Artists a title credits as guests: "Dangerous (feat. Sam Martin)" -> ("Sam Martin",).

    Files that give one artist per song (TidyTuesday's ``track_artist``) name the guests
    only there; Spotify's own artist lists (the chart file) include them. Reading them
    makes "dangerous ft sam martin" find the song in either, and one song in two files
    carry the same credit.
    """
    out: list[str] = []
    for m in _TITLE_GUEST.finditer(title):
        credit = (m.group(1) or m.group(2) or "").strip()
        if credit:
            out.extend(_split_credit(credit, vocabulary, None))
    return tuple(x for x in out if x)


def split_artists(
    value: str,
    vocabulary: ArtistVocabulary | None = None,
    kind: str = "credit",
    quirks: Counter[str] | None = None,
) -> tuple[str, ...]:
    """The individual artists of an artist field, in order (see the module docstring).

    ``kind`` ``one`` keeps the field whole (it names one artist, as Spotify does). Without
    a vocabulary, joiners never split and only :data:`COMMA_ARTIST_NAMES` hold commas.
    """
    items = literal_list(value)
    if items is None:
        if kind == "one":
            items = [clean_display(value)]
        elif ";" in value:
            items = [clean_display(x) for x in value.split(";")]
        elif kind == "list":  # Spotify artists joined by commas: "&" inside an item is part of a name
            items = _split_commas(clean_display(value), vocabulary)
        else:
            items = _split_credit(clean_display(value), vocabulary, quirks)
    return tuple(dict.fromkeys(x for x in items if x))


def _split_credit(text: str, vocabulary: ArtistVocabulary | None, quirks: Counter[str] | None) -> list[str]:
    guests = [p.strip().rstrip(")").strip() for p in _GUEST.split(text)]
    if len(guests) > 1 and quirks is not None:
        quirks[QUIRK_GUEST] += 1
    out: list[str] = []
    joined = kept = False
    for guest in guests:
        for piece in _split_commas(guest, vocabulary) if "," in guest else [guest]:
            parts = _JOINER.split(piece) if _JOINER.search(piece) else [piece]
            if len(parts) > 1:
                folded = fold(piece)
                if (
                    vocabulary is not None
                    and folded not in vocabulary.whole
                    and all(vocabulary.knows(fold(p)) for p in parts)
                ):
                    out.extend(p.strip() for p in parts)
                    joined = True
                    continue
                kept = True
            out.append(piece)
    if quirks is not None:
        quirks[QUIRK_JOINED] += joined
        quirks[QUIRK_KEPT_WHOLE] += kept and not joined
    return out


def _split_commas(text: str, vocabulary: ArtistVocabulary | None) -> list[str]:
    """Split at commas, keeping known comma names and ``, Jr.``-style suffixes whole."""
    pieces = [p.strip() for p in text.split(",")]
    names = vocabulary.comma_table if vocabulary is not None else _DEFAULT_COMMA_TABLE
    folded = [fold(p) for p in pieces]
    out: list[str] = []
    i = 0
    while i < len(pieces):
        for name, commas in names:
            width = commas + 1
            if (
                i + width <= len(pieces)
                and name.startswith(folded[i])
                and " ".join(f for f in folded[i : i + width] if f) == name
            ):
                out.append(", ".join(pieces[i : i + width]))
                i += width
                break
        else:
            if out and _SUFFIX.match(pieces[i]):
                out[-1] = f"{out[-1]}, {pieces[i]}"
            elif pieces[i]:
                out.append(pieces[i])
            i += 1
    return out
