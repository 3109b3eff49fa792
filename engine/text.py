"""Text normalisation shared by the catalog (duplicate detection) and the resolver.

Titles arrive in every script, sometimes decomposed (NFD), with version tags
("- Remastered 2011", "(Live)", "feat. X"). People type them without accents, in any
case, without punctuation. Matching happens on a *key*; display keeps the original.
"""

from __future__ import annotations

import re
import unicodedata

_VERSION_WORDS = (
    r"feat\.?|ft\.?|featuring|with|live|remaster(?:ed)?|\d{4}\s+remaster(?:ed)?|"
    r"mono|stereo|version|remix|mix|edit|radio edit|single|demo|acoustic|"
    r"instrumental|bonus|deluxe|original|take|mono version|from\s"
)
#: "(Live)", "[Remastered 2011]", "(feat. X)", "(From 'Movie')" ...
_BRACKETED_TAG = re.compile(r"\s*[\(\[][^\)\]]*\b(?:" + _VERSION_WORDS + r")[^\)\]]*[\)\]]", re.IGNORECASE)
#: " - Remastered 2011", " - Live at Wembley", " - 2009 Remaster", " - Mono"
_DASH_TAG = re.compile(
    r"\s+[-–—]\s+(?:[^-–—]*\b(?:remaster(?:ed)?|live|version|mono|stereo|mix|edit|"
    r"demo|single|take|recorded|acoustic)\b[^-–—]*)$",
    re.IGNORECASE,
)
#: ' - From "8 Mile" Soundtrack', ' - Love Theme From "Top Gun"': where a song was heard first.
_DASH_FROM = re.compile(r"\s+[-–—]\s+(?:(?:love\s+)?theme\s+)?from\s.*$", re.IGNORECASE)
#: A trailing " feat. X" / " ft X" outside brackets.
_FEAT_TAIL = re.compile(r"\s+(?:feat\.?|ft\.?|featuring)\s+.*$", re.IGNORECASE)
#: "(feat. X)", "[with X]": a guest credit in brackets, not a version of the song.
_BRACKETED_GUEST = re.compile(r"\s*[\(\[]\s*(?:feat\.?|ft\.?|featuring|with)\s[^\)\]]*[\)\]]", re.IGNORECASE)
#: Letters below this code point (Latin, Greek, Cyrillic) lose their accents when folded.
_ACCENT_STRIPPED_BELOW = "\u0530"
#: Letters casefold() leaves apart that people type interchangeably (Turkish dotless i).
_FOLD_EXTRA = str.maketrans({"ı": "i", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
#: What fold() turns into a space in ASCII text (it keeps only letters and digits).
_NON_WORD = re.compile(r"[\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")

#: Longest query worth matching; anything longer is cut before any work is done.
MAX_QUERY_CHARS = 200


def clean_display(text: object) -> str:
    """NFC form of ``text`` with control and invisible characters removed.

    Used for what we show and store: NFC so the same title compares equal whatever
    form the file used, no control characters so nothing odd reaches a chat.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if text.isascii() and text.isprintable():  # already NFC, nothing invisible: the common case
        return text.strip()
    text = unicodedata.normalize("NFC", text)
    return _CONTROL.sub("", text).strip()


#: Every tag needs one of these: titles without any (most) skip the three patterns.
_MAY_HAVE_TAG = re.compile(r"[\(\[\-–—]|f(?:ea)?t", re.IGNORECASE)


def strip_version_tags(title: str) -> str:
    """Drop version tags ("(Live)", " - Remastered 2011", "feat. X") from a title."""
    if not _MAY_HAVE_TAG.search(title):
        return title.strip()
    previous = None
    out = title
    while out != previous:  # tags can stack: "Song (Live) - Remastered"
        previous = out
        out = _BRACKETED_TAG.sub("", out)
        out = _DASH_TAG.sub("", out)
        out = _DASH_FROM.sub("", out)
        out = _FEAT_TAIL.sub("", out)
    return out.strip() or title.strip()


def strip_guest_tags(title: str) -> str:
    """Drop guest credits ("(feat. X)", "(with X)", " ft. X") but keep version tags.

    The catalog's "same song" key: "Still Got Time (feat. PARTYNEXTDOOR)" and "Still Got
    Time" are one song, while "- Live" or "- Loud Luxury Remix" are other versions.
    """
    out = _FEAT_TAIL.sub("", _BRACKETED_GUEST.sub("", title))
    return out.strip() or title.strip()


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key of ``text`` (no tag stripping).

    Accents are dropped only from Latin, Greek and Cyrillic letters (é → e). In other
    scripts the marks are part of the letter — Japanese voicing (パ ≠ ハ), Thai and
    Devanagari vowel signs — so they are kept, and count as word characters.

    Printable ASCII takes a shortcut with the same result (no accents, no controls, and
    casefold() is lower() there): loading a catalog folds each title and artist several
    times, and the general path cost most of the loading time of 77,000 songs.
    """
    if isinstance(text, str) and text.isascii() and text.isprintable():
        return " ".join(_NON_WORD.sub(" ", text.lower()).split())
    text = clean_display(text)
    kept: list[str] = []
    base = ""
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.category(ch).startswith("M"):
            if base and base < _ACCENT_STRIPPED_BELOW:
                continue
        else:
            base = ch
        kept.append(ch)
    folded = unicodedata.normalize("NFC", "".join(kept)).casefold().translate(_FOLD_EXTRA)
    words = "".join(ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " " for ch in folded)
    return " ".join(words.split())


def title_key(title: str) -> str:
    """Matching key of a song title: version tags dropped, then :func:`fold`."""
    return fold(strip_version_tags(clean_display(title)))


def artist_key(artist: str) -> str:
    """Matching key of an artist string."""
    return fold(artist)
