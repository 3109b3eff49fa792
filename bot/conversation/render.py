"""Song labels and the small pieces of text several replies are built from.

Every label is the engine's one "Title — Artist (year)" format
(:func:`engine.song_table.song_label`), made safe for where it is shown: Markdown-escaped
for cards and messages, linked to where to listen, or plain and short for select menus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from engine.filters import Target
from engine.results import Pick, Song
from engine.song_table import song_label

from ..replies import LISTEN_TEXT, Field, PickRef, escape, masked_link, truncate


def markdown_label(song: Song | None) -> str:
    """Markdown-safe "Title — Artist (year)"; "—" for a song no longer in the catalog."""
    if song is None:
        return "—"
    return song_label(escape(song.name, 120), escape(song.artist, 80), song.year or None)


def linked_label(song: Song) -> str:
    """Markdown-safe "Title — Artist (year)" whose title links to where to listen."""
    return song_label(
        masked_link(escape(song.name, 120), song.link), escape(song.artist, 80), song.year or None
    )


def listen_line(song: Song) -> str:
    """ "🔗 **Title — Artist (year)**: <url>": where to listen to one song, bracketed so
    Discord shows no preview card and a channel stays readable."""
    return f"🔗 **{markdown_label(song)}**: <{song.link}>"


def plain_label(name: str, artist: str, year: int | None) -> str:
    """Plain "Title — Artist (year)" within Discord's 100 characters (select menus)."""
    return song_label(name, artist, year or None, limit=100)


def pick_fields(picks: Sequence[Pick], *, show_similarity: bool = True) -> tuple[Field, ...]:
    """One card field per numbered pick: its label, then listen link, similarity and reason."""
    return tuple(
        Field(
            name=truncate(f"{i}. {markdown_label(p.song)}", 256),
            # the link first: if Discord's limits cut the value, they cut the reason
            value=truncate(
                f"{masked_link(LISTEN_TEXT, p.song.link)} · "
                + (f"{p.score:.0%} similar · " if show_similarity else "")
                + escape(p.reason, 200),
                1024,
            ),
        )
        for i, p in enumerate(picks, 1)
    )


def pick_refs(songs: Iterable[Song]) -> tuple[PickRef, ...]:
    """The numbered songs of a list, as "like 2" and the 👍/👎 menu refer to them."""
    return tuple(PickRef(i, s.id, plain_label(s.name, s.artist, s.year)) for i, s in enumerate(songs, 1))


def targets_line(targets: Sequence[Target]) -> str:
    """The filters a request applied, as a line under the card's description ("" for none)."""
    return ("\nFilters: " + escape(", ".join(t.describe() for t in targets), 300)) if targets else ""


def joined_within(items: list[str], budget: int) -> str:
    """``items`` joined by commas, whole items only, within ``budget`` characters.

    Truncating the joined text could cut a link in half and show broken markdown.
    """
    out: list[str] = []
    used = 0
    for item in items:
        extra = len(item) + (2 if out else 0)
        if used + extra > budget:
            return ", ".join(out) + ", …"
        out.append(item)
        used += extra
    return ", ".join(out)
