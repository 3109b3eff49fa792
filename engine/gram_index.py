"""Fuzzy matching over many strings: a sorted, trigram-indexed set and a scorer.

Scoring a million title keys with rapidfuzz takes seconds; voting with trigrams picks
a few hundred candidates in milliseconds, which are then scored exactly. Kept apart
from the resolver because it knows nothing about songs: it indexes strings.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping

import numpy as np
from rapidfuzz import fuzz, process

from .stable_order import top
from .storage.columns import TextColumn
from .storage.serving import part_of, prefixed

#: Keys taken from the trigram vote (twice: by shared count and by Jaccard) for scoring.
GRAM_CANDIDATES = 300
#: Postings read per trigram vote, rarest trigrams first (bounds the cost on 1M keys).
POSTING_BUDGET = 50_000
#: Trigrams that vote even when they alone exceed the budget.
MIN_VOTING_GRAMS = 3
#: Upper bound of a prefix range in the sorted keys: no folded key contains it.
_PREFIX_END = "\U0010ffff"


class GramIndex:
    """Sorted unique strings with a trigram inverted index over them.

    The sorted keys (a flat text column: mapped with the artifact, see engine.storage.serving)
    answer exact lookups and prefix ranges with bisect (no dict of a million strings to
    build or hold). The trigram postings (CSR: unique trigram
    hashes, offsets, string ids) answer "which strings share the most trigrams with
    this query" with a few array slices and one bincount, which is what keeps fuzzy
    matching on a million titles within tens of milliseconds.
    """

    def __init__(self, keys: list[str]) -> None:
        """Index ``keys``, which must be sorted and unique (the resolver's name keys are)."""
        self.lengths = np.fromiter(map(len, keys), dtype=np.int32, count=len(keys))
        self._hashes = np.zeros(0, dtype=np.uint32)
        self._offsets = np.zeros(1, dtype=np.int64)
        self._postings = np.zeros(0, dtype=np.int32)
        self.gram_counts = np.zeros(len(keys), dtype=np.int32)
        if keys:
            self._build(keys)
        #: The keys as a flat text column (engine.storage.columns): what is saved and mapped.
        self.keys: TextColumn = TextColumn.from_strings(keys)

    def arrays(self) -> dict[str, np.ndarray]:
        """This index as plain arrays, for engine.storage.serving to save."""
        return {
            **prefixed("keys", self.keys.arrays()),
            "lengths": self.lengths,
            "hashes": self._hashes,
            "offsets": self._offsets,
            "postings": self._postings,
            "gram_counts": self.gram_counts,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> GramIndex:
        """The index over arrays :meth:`arrays` gave (mapped stay mapped, nothing is copied)."""
        index = cls.__new__(cls)
        index.keys = TextColumn.from_arrays(part_of(arrays, "keys"))
        index.lengths = arrays["lengths"]
        index._hashes, index._offsets = arrays["hashes"], arrays["offsets"]
        index._postings, index.gram_counts = arrays["postings"], arrays["gram_counts"]
        if not len(index.keys) == len(index.lengths) == len(index.gram_counts):
            raise ValueError("name index arrays disagree on the number of keys")
        return index

    def __len__(self) -> int:
        return len(self.keys)

    @staticmethod
    def _gram_hashes(text: str) -> tuple[np.ndarray, np.ndarray]:
        """32-bit hashes of the trigrams of ``text`` ("\\0"-separated strings) and their owners.

        The owner of a trigram is the index of the "\\0"-separated string it lies in;
        trigrams spanning a separator are dropped. Hashing is a multiply-xor of the three
        code points in wrapping uint32 arithmetic: collisions only add noise to a vote
        that is re-scored exactly anyway, and 32-bit work halves the memory traffic.
        """
        cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if len(cps) < 3:
            return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
        sep = cps == 0
        valid = ~(sep[:-2] | sep[1:-1] | sep[2:])
        with np.errstate(over="ignore"):
            hashed = (
                (cps[:-2] * np.uint32(0x9E3779B1))
                ^ (cps[1:-1] * np.uint32(0x85EBCA77))
                ^ (cps[2:] * np.uint32(0xC2B2AE3D))
            )
        owner = np.cumsum(sep[:-2], dtype=np.int64)
        return hashed[valid], owner[valid]

    def _build(self, keys: list[str]) -> None:
        """Trigram postings of all keys in one vectorised pass (no Python loop per key)."""
        text = " " + " \x00 ".join(keys) + " "
        if text.count("\x00") != len(keys) - 1:  # a key holding NUL would shift owners
            text = " " + " \x00 ".join(k.replace("\x00", " ") for k in keys) + " "
        hashed, owner = self._gram_hashes(text)
        del text
        # (hash, owner) packed in one uint64 so a single sort groups postings by trigram;
        # in-place shifts keep a 1M-title build to one big temporary.
        packed = hashed.astype(np.uint64)
        packed <<= np.uint64(32)
        packed |= owner.astype(np.uint64)
        del hashed, owner
        packed.sort()
        if len(packed):  # a key repeating a trigram counts it once
            packed = packed[np.r_[True, packed[1:] != packed[:-1]]]
        self._postings = (packed & np.uint64(0xFFFFFFFF)).astype(np.int32)
        packed >>= np.uint64(32)
        hashes = packed.astype(np.uint32)
        del packed
        starts = (
            np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]]) if len(hashes) else np.zeros(0, np.int64)
        )
        self._hashes = hashes[starts]
        self._offsets = np.r_[starts, len(hashes)].astype(np.int64)
        self.gram_counts = np.bincount(self._postings, minlength=len(keys)).astype(np.int32)

    def find(self, key: str) -> int | None:
        """Position of ``key`` in the sorted list, or None."""
        i = bisect_left(self.keys, key)
        return i if i < len(self.keys) and self.keys[i] == key else None

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """Half-open range of positions whose string starts with ``prefix``."""
        lo = bisect_left(self.keys, prefix)
        hi = bisect_left(self.keys, prefix + _PREFIX_END, lo)
        return lo, hi

    def candidates(self, query: str, limit: int = GRAM_CANDIDATES) -> np.ndarray:
        """Ids of strings sharing the most trigrams with ``query`` (unordered, unique).

        Two rankings are merged: by shared count (favours strings that *contain* the
        query: partial titles) and by Jaccard (favours strings of similar length:
        typos of a whole title).
        """
        if not self.keys or not query:
            return np.zeros(0, dtype=np.int64)
        grams, _ = self._gram_hashes(" " + query.replace("\x00", " ") + " ")
        grams = np.unique(grams)
        if not len(grams) or not len(self._hashes):
            return np.zeros(0, dtype=np.int64)
        pos = np.searchsorted(self._hashes, grams)
        pos = pos[pos < len(self._hashes)]
        pos = pos[np.isin(self._hashes[pos], grams)]
        if not len(pos):
            return np.zeros(0, dtype=np.int64)
        starts, ends = self._offsets[pos], self._offsets[pos + 1]
        # Rarest trigrams first, until the posting budget is spent: common trigrams
        # ("the", "ove") say little and would make a million-key vote slow.
        order = np.argsort(ends - starts, kind="stable")
        spent = np.cumsum((ends - starts)[order])
        keep = max(
            min(len(order), MIN_VOTING_GRAMS), int(np.searchsorted(spent, POSTING_BUDGET, side="right"))
        )
        order = order[:keep]
        ids = np.concatenate(
            [self._postings[s:e] for s, e in zip(starts[order].tolist(), ends[order].tolist())]
        )
        n = len(self.keys)
        if len(ids) * 16 < n:
            ids = np.sort(ids)
            first = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
            touched, shared = ids[first], np.diff(np.r_[first, len(ids)])
        else:
            counts = np.bincount(ids, minlength=n)
            touched = np.flatnonzero(counts)
            shared = counts[touched]
        if len(touched) <= 2 * limit:
            return touched.astype(np.int64)
        jaccard = shared / (len(grams) + self.gram_counts[touched] - shared)
        # engine.stable_order: many candidates share a count, and the partition's own
        # order among them is the CPU's
        by_count = top(shared, limit, descending=True)
        by_jaccard = top(jaccard, limit, descending=True)
        return touched[np.union1d(by_count, by_jaccard)].astype(np.int64)


def score_strings(query: str, choices: list[str]) -> np.ndarray:
    """Score folded strings (title or artist keys) against a folded query, 0..100.

    An explicit mix rather than ``fuzz.WRatio``: WRatio gives 85.5 to any string
    merely sharing a word with the query ("la jvaa" vs "juana la cubana"), which
    drowns real typo matches. Here a string scores the best of

    * ``ratio`` — the whole string with typos;
    * ``token_sort_ratio`` × 0.95 — the same words in another order;
    * ``partial_ratio`` × 0.9, only for strings longer than the query — part of a
      title ("enchanted evening"), typos allowed;
    * 80 + 20 × typed/length for a string the query starts — a title being typed.

    Only an identical string scores 100. Strings shorter than the query get no
    partial credit, so "the" does not match "the sound of silence".
    """
    if not choices:
        return np.zeros(0, dtype=float)
    scores = process.cdist([query], choices, scorer=fuzz.ratio, dtype=np.float32)[0].astype(float)
    if " " in query:
        reordered = process.cdist([query], choices, scorer=fuzz.token_sort_ratio, dtype=np.float32)[0]
        scores = np.maximum(scores, 0.95 * reordered)
    lengths = np.fromiter(map(len, choices), dtype=np.int64, count=len(choices))
    q_len = len(query)
    if q_len >= 3:
        longer = np.flatnonzero(lengths > q_len)
        if len(longer):
            partial = process.cdist(
                [query], [choices[i] for i in longer.tolist()], scorer=fuzz.partial_ratio, dtype=np.float32
            )[0]
            scores[longer] = np.maximum(scores[longer], 0.9 * partial)
            starts = np.fromiter(
                (choices[i].startswith(query) for i in longer.tolist()), dtype=bool, count=len(longer)
            )
            if starts.any():
                hit = longer[starts]
                scores[hit] = np.maximum(scores[hit], 80.0 + 20.0 * q_len / lengths[hit])
    equal = np.fromiter((c == query for c in choices), dtype=bool, count=len(choices))
    scores = np.minimum(scores, 99.0)
    scores[equal] = 100.0
    return scores
