"""Read one catalog file as text cells: CSV, gzip-compressed CSV or Parquet.

Every cell is read as a string (or left as Parquet gives it) so that nothing is guessed
before the cleaning rules look at it: "NA" stays the text "NA" (a real title, or R's
missing value, decided later with the rest of the row), exponent notation stays for
``to_numeric``, and ids keep their leading zeros. I/O failures become one-line
:class:`CatalogError` messages that say what to try.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..paths import CatalogError


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV (``.csv`` or ``.csv.gz``) or Parquet file, turning I/O failures into CatalogError."""
    p = Path(path)
    if not p.exists():
        raise CatalogError(
            f"catalog file not found: {p} (check the path or CLUSTERFY_CATALOG)", names_fix=True
        )
    if p.is_dir():
        raise CatalogError(f"catalog path is a folder, not a file: {p}")
    try:
        if p.suffix.lower() in {".parquet", ".pq"}:
            return _read_parquet(p)
        return pd.read_csv(
            p,
            encoding="utf-8-sig",
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            on_bad_lines="skip",
            low_memory=False,
            compression="infer",  # .csv.gz: the bundled files ship compressed
        )
    except CatalogError:
        raise
    except pd.errors.EmptyDataError:
        raise CatalogError(f"catalog file is empty: {p}") from None
    except UnicodeDecodeError:
        raise CatalogError(f"catalog file is not UTF-8 text (is it a CSV?): {p}", names_fix=True) from None
    except (pd.errors.ParserError, ValueError, OSError, EOFError) as exc:
        raise CatalogError(f"could not read catalog {p}: {_first_line(exc)}") from None


def _read_parquet(p: Path) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401  (pandas needs it; we only check it is there)
    except ImportError:
        raise CatalogError(
            "reading Parquet needs pyarrow: pip install 'clusterfy[parquet]' (or use a CSV)", names_fix=True
        ) from None
    return pd.read_parquet(p)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
