"""What loading did to a catalog, per file and across files, in words a user can check.

A catalog is only as trustworthy as its cleaning is visible: every row that left says
why, every row folded into another song says why, and every quirk of a file that was
read in a particular way (a key written as a note name, a release date given as a year
only, a guest written into the artist) is counted. ``python -m engine evaluate``, the
dashboard and the start-up log print :meth:`CleaningReport.lines`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Drop reasons, in the order they are applied and reported.
DROP_MISSING_TITLE = "missing title or artist"
DROP_NA_ROW = "title and artist both written NA (R's missing value)"
DROP_MISSING_FEATURE = "missing or non-numeric audio features"
DROP_OUT_OF_RANGE = "audio features out of range"
DROP_ID_CONFLICT = "same Spotify id as an earlier row under another title (a source error; the first kept)"

#: Merge reasons: rows folded into another row's song, which keeps the best-known facts of both.
MERGE_SAME_ID = "same Spotify id (one row per playlist or decade, or listed twice)"
MERGE_SAME_SONG = "same title + artist after folding (another release of the same song)"
MERGE_SAME_RECORDING = "same recording under another version name (title + artist, features within 2%)"

#: Kept rows whose year was not usable: shown without a year and left out of year filters.
NOTE_PLACEHOLDER_YEAR = "year 1905 (a placeholder in the hits files) read as unknown"
NOTE_BAD_YEAR = "year not a number (e.g. #VALUE!) read as unknown"
NOTE_REISSUE_YEAR = (
    "year of a later reissue (after the decade a chart file dates the song to): decade kept, year unknown"
)
NOTE_UNION_NO_YEAR = "no known year (shown without one, outside year filters)"


@dataclass
class CleaningReport:
    """What loading did to a file (or, with ``files``, to a catalog of several).

    ``rows_read = rows_kept + sum(dropped) + sum(merged)`` for one file. For a union,
    ``merged`` counts rows of different files that became one song, and the per-file
    reports in ``files`` hold what happened inside each file.
    """

    source: str
    layout: str
    rows_read: int
    rows_kept: int
    #: Rows that left the catalog: reason -> count.
    dropped: dict[str, int] = field(default_factory=dict)
    #: Rows kept but changed on the way (e.g. a placeholder year read as unknown): reason -> count.
    notes: dict[str, int] = field(default_factory=dict)
    #: For a catalog of several files: one report per file, in load order (empty for one file).
    files: list[CleaningReport] = field(default_factory=list)
    #: Rows folded into another row's song (their facts kept there): reason -> count.
    merged: dict[str, int] = field(default_factory=dict)
    #: How the file's columns were read: canonical role -> the file's column (and how).
    columns: dict[str, str] = field(default_factory=dict)
    #: Quirks of the values read in a particular way: what -> how many rows.
    quirks: dict[str, int] = field(default_factory=dict)
    #: Where the songs' popularity comes from: basis -> songs (see engine.catalog.popularity).
    popularity: dict[str, object] = field(default_factory=dict)

    @property
    def rows_dropped(self) -> int:
        """Rows that left the catalog (in every file, for a union)."""
        return sum(self.dropped.values()) + sum(p.rows_dropped for p in self.files)

    @property
    def rows_merged(self) -> int:
        """Rows folded into another row's song (in every file and across files, for a union)."""
        return sum(self.merged.values()) + sum(p.rows_merged for p in self.files)

    def lines(self) -> list[str]:
        """Human-readable summary, one fact per line (per file first for a multi-file catalog)."""
        parts = self.files
        out: list[str] = []
        if parts:
            out.append(f"catalog: {self.source} ({self.layout})")
            for part in parts:
                out.append(
                    f"  {part.source} ({part.layout} layout): read {part.rows_read:,}; "
                    f"kept {part.rows_kept:,}; dropped {part.rows_dropped:,}; merged {part.rows_merged:,}"
                )
                out += ["  " + line for line in part._detail_lines()]
            out.append(
                f"across files: {sum(p.rows_kept for p in parts):,} songs from {len(parts)} files "
                f"-> {self.rows_kept:,} songs"
            )
            out += [f"  dropped {n:,}: {r}" for r, n in self.dropped.items() if n]
            out += [f"  merged {n:,}: {r}" for r, n in self.merged.items() if n]
            out += [f"  kept {n:,} with {note}" for note, n in self.notes.items() if n]
        else:
            out.append(f"catalog: {self.source} ({self.layout} layout)")
        out.append(
            f"rows read: {self.rows_read:,}; kept: {self.rows_kept:,} songs; "
            f"dropped: {self.rows_dropped:,}; merged: {self.rows_merged:,}"
        )
        if not parts:
            out += self._detail_lines()
        out += self._popularity_lines()
        return out

    def _detail_lines(self) -> list[str]:
        out = []
        if self.columns:
            out.append("  columns: " + "; ".join(f"{role} <- {col}" for role, col in self.columns.items()))
        out += [f"  dropped {n:,}: {reason}" for reason, n in self.dropped.items() if n]
        out += [f"  merged {n:,}: {reason}" for reason, n in self.merged.items() if n]
        out += [f"  read {n:,}: {quirk}" for quirk, n in self.quirks.items() if n]
        out += [f"  kept {n:,} with {note}" for note, n in self.notes.items() if n]
        return out

    def _popularity_lines(self) -> list[str]:
        counts = self.popularity.get("songs")
        if not isinstance(counts, dict) or not counts:
            return []
        out = ["popularity: " + "; ".join(f"{basis} {n:,}" for basis, n in counts.items())]
        checks = self.popularity.get("checks")
        out += [f"  {check}" for check in checks] if isinstance(checks, list) else []
        return out

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "source": self.source,
            "layout": self.layout,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "dropped": dict(self.dropped),
            "merged": dict(self.merged),
            "notes": dict(self.notes),
        }
        if self.columns:
            out["columns"] = dict(self.columns)
        if self.quirks:
            out["quirks"] = dict(self.quirks)
        if self.popularity:
            out["popularity"] = dict(self.popularity)
        if self.files:
            out["files"] = [p.to_dict() for p in self.files]
        return out
