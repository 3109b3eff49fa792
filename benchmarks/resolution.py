"""Resolution quality per query form, on songs the resolver was not tuned on.

People type a song the way they remember it: title and artist in any order, with or
without "by" / "-" / ",", a typo here or there, lowercase without accents or
punctuation, a missing or extra "the", "feat. X", "remix", only the first words of a
long title. This script generates each of those forms from real rows (seeded), resolves
them with :class:`engine.resolver.SongResolver` over the default catalog (the union of
the six bundled files, about 70,000 songs, each song once) and prints, per form and per
file: how many queries, the top-1 rate (the right song taken without asking), the share
taken (``exact``/``fuzzy``), the share asked about (``ambiguous``) and the share unmatched.

Held-out design. The resolver's thresholds were tuned on queries made from the *study
sample*'s songs (before issue 21, on the 6,326-song catalog); the hits files' songs were
held out. The three larger files came with issue 21: their songs are split by lead artist
(the stable hash of benchmarks/quality.py), and only the *tune* half may be looked at
while tuning; the *held-out* half is measured. So ``--rows tune`` = study sample + the tune
half of the new files, ``--rows heldout`` = both hits files + the held-out half of the new
files, each file in its own table. A song in several files counts for each of them.

The last line, "same title (title alone)", is a bare title several artists share (nothing
typed tells them apart). The one people mean is the most popular: it is right when the
resolver takes that song, or asks with it among the choices; its columns show how often
it took one and how often it asked.

    python -m benchmarks.resolution [--rows tune|heldout|both] [--per-form 400] [--seed 0]
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import pandas as pd

from engine.resolver import (
    STATUS_AMBIGUOUS,
    STATUS_EXACT,
    STATUS_FUZZY,
    STATUS_NO_MATCH,
    SongResolver,
)
from engine.text import artist_key, fold, strip_guest_tags, strip_version_tags, title_key

#: The study sample's songs made the tuning queries; the hits files' songs were held out.
STUDY = "single_genre_artists_sample.csv"
HITS = ("well_known_songs.csv", "top_hits_2000_2019.csv")
#: The files of issue 21: split by lead artist into a tune half and a held-out half.
NEW_FILES = (
    "tidytuesday_spotify_songs.csv.gz",
    "spotify_top_songs_audio_features.csv.gz",
    "hit_predictor_1960_2019.csv.gz",
)
#: A typo is only made in a field at least this long once folded (one edit in "sos" is another word).
MIN_TYPO_CHARS = 5
#: "First words of a long title": titles of at least this many words, cut to about 60%.
LONG_TITLE_WORDS = 5
VERSION_WORDS = ("remix", "remastered", "remaster", "radio edit", "live")
FEAT_WORDS = ("feat", "feat.", "ft", "featuring")
_FEAT_IN_TITLE = re.compile(r"[\(\[]\s*(?:feat\.?|ft\.?|featuring|with)\s+([^\)\]]+)[\)\]]", re.IGNORECASE)


class FormScore(TypedDict):
    """One line of the table: the outcome shares of one query form (``misses``: a few examples)."""

    form: str
    n: int
    top1: float
    taken: float
    first_right: float
    ambiguous: float
    no_match: float
    ms: float
    misses: list[str]


def union_catalog() -> pd.DataFrame:
    """The default catalog: the union of every bundled file, each song once."""
    from engine.catalog import load_catalog
    from engine.paths import DEFAULT_CATALOG

    songs, _ = load_catalog(DEFAULT_CATALOG)
    return songs


def row_sets(songs: pd.DataFrame, side: str) -> list[tuple[str, np.ndarray]]:
    """(label, song mask) per file for ``side`` "tune" or "heldout" (see the module docstring)."""
    from .quality import held_out_side, lead_artist

    sources = songs["sources"].tolist() if "sources" in songs else [(s,) for s in songs["source"]]
    held = np.array([held_out_side(lead_artist(a, d)) for a, d in zip(songs["artists"], songs["artist"])])

    def of(*files: str) -> np.ndarray:
        return np.array([any(f in s for f in files) for s in sources], dtype=bool)

    if side == "tune":
        out = [("study sample (all its songs)", of(STUDY))]
        out += [(f"{f} (tune half)", of(f) & ~held) for f in NEW_FILES]
    else:
        out = [("hits files (all their songs)", of(*HITS))]
        out += [(f"{f} (held-out half)", of(f) & held) for f in NEW_FILES]
    return out


# -- query forms -------------------------------------------------------------------------
def typo(text: str, rng: np.random.Generator) -> str:
    """One random edit (substitute, delete, insert, swap) of a letter, never the first one."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and i > 0]
    if not letters:
        return text
    i = int(rng.choice(letters))
    kind = int(rng.integers(4))
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    if kind == 0:
        ch = alphabet[int(rng.integers(26))]
        while ch == text[i]:
            ch = alphabet[int(rng.integers(26))]
        return text[:i] + ch + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + alphabet[int(rng.integers(26))] + text[i:]
    j = i + 1 if i + 1 < len(text) and text[i + 1].isalpha() else i - 1
    if j <= 0 or text[j] == text[i]:
        return text[:i] + text[i + 1 :]
    a, b = sorted((i, j))
    return text[:a] + text[b] + text[a] + text[b + 1 :]


def toggle_the(text: str) -> str:
    """Drop a leading "the", or add one."""
    return text[4:] if text.startswith("the ") else "the " + text


@dataclass(frozen=True)
class Row:
    """What a user knows of a song: its title (as they type it) and one artist."""

    index: int
    title: str  # folded, version tags dropped
    full_title: str  # as in the file
    artist: str  # folded first artist
    featured: str  # folded featured artist, "" if none
    tied: bool = False  # several artists have this title: the title alone cannot say which


Form = Callable[[Row, np.random.Generator], str | None]


def _typo_title(r: Row, rng: np.random.Generator) -> str | None:
    return typo(r.title, rng) if len(r.title) >= MIN_TYPO_CHARS else None


def _typo_artist(r: Row, rng: np.random.Generator) -> str | None:
    return typo(r.artist, rng) if len(r.artist) >= MIN_TYPO_CHARS else None


def _order(title: str, artist: str, rng: np.random.Generator) -> str:
    """Title and artist in either order, with or without a separator."""
    glue = ["{t} {a}", "{a} {t}", "{t} by {a}", "{a} - {t}", "{t} - {a}", "{t}, {a}", "{a}, {t}"]
    return glue[int(rng.integers(len(glue)))].format(t=title, a=artist)


def _first_words(r: Row, rng: np.random.Generator) -> str | None:
    words = r.title.split()
    if len(strip_version_tags(r.full_title).split()) < LONG_TITLE_WORDS:
        return None
    return " ".join(words[: max(3, round(0.6 * len(words)))])


def _the(r: Row, rng: np.random.Generator) -> str | None:
    field = int(rng.integers(2))
    if r.artist.startswith("the ") or (field == 1 and not r.title.startswith("the ")):
        return _order(r.title, toggle_the(r.artist), rng)
    return _order(toggle_the(r.title), r.artist, rng)


def _typo_title_artist(r: Row, rng: np.random.Generator) -> str | None:
    t = _typo_title(r, rng)
    return _order(t, r.artist, rng) if t else None


def _title_typo_artist(r: Row, rng: np.random.Generator) -> str | None:
    a = _typo_artist(r, rng)
    return _order(r.title, a, rng) if a else None


def _both_typo(r: Row, rng: np.random.Generator) -> str | None:
    t, a = _typo_title(r, rng), _typo_artist(r, rng)
    return _order(t, a, rng) if t and a else None


def _feat(r: Row, rng: np.random.Generator) -> str | None:
    if not r.featured:
        return None
    word = FEAT_WORDS[int(rng.integers(len(FEAT_WORDS)))]
    return (
        f"{r.title} {word} {r.featured}" if rng.integers(2) else f"{r.artist} - {r.title} {word} {r.featured}"
    )


def _version(r: Row, rng: np.random.Generator) -> str | None:
    word = VERSION_WORDS[int(rng.integers(len(VERSION_WORDS)))]
    alone = rng.integers(2) and not r.tied
    return f"{r.title} {word}" if alone else _order(f"{r.title} {word}", r.artist, rng)


#: form name -> (generator, whether the title alone identifies the song)
FORMS: dict[str, tuple[Form, bool]] = {
    "title": (lambda r, g: r.title, True),
    "title artist": (lambda r, g: f"{r.title} {r.artist}", False),
    "artist title": (lambda r, g: f"{r.artist} {r.title}", False),
    "title by artist": (lambda r, g: f"{r.title} by {r.artist}", False),
    "artist - title": (lambda r, g: f"{r.artist} - {r.title}", False),
    "title, artist": (lambda r, g: f"{r.title}, {r.artist}", False),
    "typo title": (_typo_title, True),
    "typo title + artist": (_typo_title_artist, False),
    "title + typo artist": (_title_typo_artist, False),
    "typo both": (_both_typo, False),
    "the missing/extra": (_the, False),
    "feat. X": (_feat, False),
    "remix/remastered": (_version, False),
    "first words": (_first_words, True),  # only prefixes no other title starts with: else a tie
}


def song_rows(songs: pd.DataFrame, mask: np.ndarray) -> list[Row]:
    out = []
    for i, (name, artists) in enumerate(zip(songs["name"], songs["artists"])):
        if not mask[i]:
            continue
        title, artist = title_key(name), fold(artists[0]) if artists else ""
        if not title or not artist or not title.isascii() or not artist.isascii():
            continue  # people type these in their own script; the forms here are Latin typing
        feat = _FEAT_IN_TITLE.search(name)
        featured = (
            fold(re.split(r",|&| and ", feat.group(1))[0])
            if feat
            else (fold(artists[1]) if len(artists) > 1 else "")
        )
        out.append(Row(i, title, name, artist, featured))
    return out


def identities(songs: pd.DataFrame) -> tuple[np.ndarray, dict[str, set[str]]]:
    """Each row's song identity and the artists of each title key.

    A song is its title key and its *first* artist: "No Lie" by "Sean Paul" and by
    "Sean Paul, Dua Lipa" (both in the hits files) are the same recording.
    """
    keys = [title_key(t) for t in songs["name"]]
    arts = [artist_key(a[0]) if len(a) else "" for a in songs["artists"]]
    by_title: dict[str, set[str]] = {}
    for k, a in zip(keys, arts):
        by_title.setdefault(k, set()).add(a)
    return np.array([f"{k}\x00{a}" for k, a in zip(keys, arts)], dtype=object), by_title


def measure(
    resolver: SongResolver, songs: pd.DataFrame, mask: np.ndarray, per_form: int, seed: int
) -> list[FormScore]:
    ident, by_title = identities(songs)
    rows = [dataclasses.replace(r, tied=len(by_title[r.title]) > 1) for r in song_rows(songs, mask)]
    all_keys = sorted(by_title)

    def prefix_owners(prefix: str) -> int:
        """How many songs (title key + artists) have a title starting with these words."""
        from bisect import bisect_left

        lo = bisect_left(all_keys, prefix)
        owners = 0
        for key in all_keys[lo:]:
            if not key.startswith(prefix):
                break
            if key == prefix or key[len(prefix)] == " ":
                owners += len(by_title[key])
        return owners

    lines: list[FormScore] = []
    for f, (name, (make, title_only)) in enumerate(FORMS.items()):
        rng = np.random.default_rng([seed, f])
        pool = [r for r in rows if not (title_only and len(by_title[r.title]) > 1)]
        if make is _first_words:
            pool = [r for r in pool if (q := _first_words(r, rng)) and prefix_owners(q) == 1]
        order = rng.permutation(len(pool))
        queries: list[tuple[str, Row]] = []
        for i in order.tolist():
            q = make(pool[i], rng)
            if q:
                queries.append((q, pool[i]))
            if len(queries) >= per_form:
                break
        lines.append(_score(name, resolver, queries, ident))
    # A bare title several artists share: the one people mean is the most popular of them.
    tied = [r for r in rows if len(by_title[r.title]) > 1]
    rng = np.random.default_rng([seed, 99])
    tied = [tied[i] for i in rng.permutation(len(tied))[:per_form].tolist()]
    meant = most_popular(songs, ident)
    lines.append(
        _score(
            "same title (title alone)",
            resolver,
            [(r.title, dataclasses.replace(r, index=meant[r.title])) for r in tied],
            ident,
            should_ask=True,
        )
    )
    return lines


def most_popular(songs: pd.DataFrame, ident: np.ndarray) -> dict[str, int]:
    """Per title key, the row of the song people mean by that title alone: the most popular of
    the songs titled exactly that (guest credits aside; a tagged version counts for its song
    when the song also has an untagged one), else of every song with that key."""
    pop = songs["popularity"].to_numpy(dtype=float)
    pop = np.where(np.isfinite(pop), pop, -1.0)
    by_key: dict[str, list[int]] = {}
    for i, name in enumerate(songs["name"]):
        by_key.setdefault(title_key(name), []).append(i)
    out: dict[str, int] = {}
    for key, rows in by_key.items():
        plain = {ident[i] for i in rows if fold(strip_guest_tags(songs["name"].iat[i])) == key}
        pool = [i for i in rows if ident[i] in plain] or rows
        out[key] = max(pool, key=lambda i: (pop[i], -i))
    return out


def _score(
    name: str,
    resolver: SongResolver,
    queries: list[tuple[str, Row]],
    ident: np.ndarray,
    should_ask: bool = False,
) -> FormScore:
    """Shares of outcomes. top-1 counts the right song *taken* without asking (for a shared
    title: the most popular song taken, or asked about with it among the choices); "right
    first" also counts a right first choice of a question."""
    n = len(queries)
    top1 = taken = first_right = ambiguous = no_match = 0
    misses: list[str] = []
    started = time.perf_counter()
    for q, row in queries:
        res = resolver.resolve(q)
        right = bool(res.candidates) and ident[res.candidates[0].index] == ident[row.index]
        was_taken = res.status in (STATUS_EXACT, STATUS_FUZZY)
        good = (right and was_taken) or (
            should_ask
            and res.status == STATUS_AMBIGUOUS
            and any(ident[c.index] == ident[row.index] for c in res.candidates)
        )
        first_right += right
        taken += was_taken
        top1 += good
        ambiguous += res.status == STATUS_AMBIGUOUS
        no_match += res.status == STATUS_NO_MATCH
        if not good and len(misses) < 8:
            got = f"{res.candidates[0].name} / {res.candidates[0].artist}" if res.candidates else "-"
            misses.append(f"{q!r} [{row.full_title} / {row.artist}] -> {res.status}: {got}")
    ms = (time.perf_counter() - started) * 1000 / max(n, 1)

    def share(k: int) -> float:
        return k / n if n else float("nan")

    return {
        "form": name,
        "n": n,
        "top1": share(top1),
        "taken": share(taken),
        "first_right": share(first_right),
        "ambiguous": share(ambiguous),
        "no_match": share(no_match),
        "ms": ms,
        "misses": misses,
    }


def format_table(title: str, lines: Sequence[FormScore]) -> str:
    out = [
        title,
        (
            f"{'form':<22} {'n':>5} {'top-1':>6} {'taken':>6} {'right 1st':>9} "
            f"{'ambig':>6} {'no-match':>8} {'ms/q':>6}"
        ),
    ]
    for d in lines:
        out.append(
            f"{d['form']:<22} {d['n']:>5} {d['top1']:>6.3f} {d['taken']:>6.3f} {d['first_right']:>9.3f} "
            f"{d['ambiguous']:>6.3f} {d['no_match']:>8.3f} {d['ms']:>6.1f}"
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.resolution", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--rows",
        choices=("tune", "heldout", "both"),
        default="both",
        help="which rows make the queries: tune = study sample, heldout = hits files",
    )
    parser.add_argument(
        "--per-form", type=int, default=400, metavar="N", help="queries per form (default 400)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--misses", action="store_true", help="print a few misses per form")
    args = parser.parse_args(argv)
    songs = union_catalog()
    resolver = SongResolver(songs)
    print(f"catalog: the default, {len(songs):,} songs of {len(set(songs['source']))} files", flush=True)
    titles = {
        "tune": "TUNE rows (thresholds were tuned on these)",
        "heldout": "HELD-OUT rows (not looked at while tuning)",
    }
    for key in ("tune", "heldout") if args.rows == "both" else (args.rows,):
        for label, mask in row_sets(songs, key):
            lines = measure(resolver, songs, mask, args.per_form, args.seed)
            print(
                "\n" + format_table(f"{titles[key]}: {label}, {int(mask.sum()):,} songs", lines), flush=True
            )
            if args.misses:
                for d in lines:
                    for m in d["misses"]:
                        print(f"  miss {d['form']}: {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
