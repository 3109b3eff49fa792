"""Tests for engine.recommend on the real bundled catalog (no mocks).

Checks the promises the bot relies on: no seed or copy of it, one cluster, similarity
order, artist cap, exclusions, paging, targets, agreement with the study's brute-force
cosine similarity, readable reasons, varied-but-reproducible vibes and comparisons.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics.pairwise import cosine_similarity

from engine.filters import Target, parse_targets, target_mask
from engine.model import MoodModel
from engine.reasons import MAX_REASON_CHARS, Reasons
from engine.recommend import ARTIST_WEIGHT, Recommender


@pytest.fixture(scope="module")
def rec(model: MoodModel) -> Recommender:
    return Recommender(model)


def _seeds(model: MoodModel, per_cluster: int = 3) -> list[int]:
    """A few seeds from every cluster, deterministic."""
    rng = np.random.default_rng(7)
    out: list[int] = []
    for c in range(model.n_clusters_):
        members = np.flatnonzero(model.labels_ == c)
        out += [int(i) for i in rng.choice(members, per_cluster, replace=False)]
    return out


def _copy_seeds(rec: Recommender) -> list[int]:
    """Seeds that have another copy (same title + artist keys) in the catalog."""
    counts = Counter(rec.group_.tolist())
    return [i for i, g in enumerate(rec.group_.tolist()) if counts[g] > 1][:10]


def _artist_seed(model: MoodModel) -> int:
    """A seed whose artist has many songs in its cluster, so the cap has work to do."""
    songs = model.songs_
    counts = Counter(zip(model.labels_.tolist(), songs["artist_key"].tolist()))
    (cluster, artist), _ = counts.most_common(1)[0]
    return int(np.flatnonzero((songs["artist_key"] == artist).to_numpy() & (model.labels_ == cluster))[0])


def _brute_force(model: MoodModel, seed: int, artist_weight: float = 0.0) -> list[tuple[int, float]]:
    """The study's way (filter to the cluster, sklearn cosine_similarity, sort), plus, when
    ``artist_weight`` > 0, the same weight of cosine between the artists' mean sounds —
    written independently of the engine, with pandas and sklearn."""
    features = list(model.features)
    songs = model.songs_.assign(cluster=model.labels_)
    Z = pd.DataFrame(model.scaler_.transform(songs[features].to_numpy()), index=songs.index)
    artist_sound = Z.groupby(songs["artist_key"]).mean()
    A = artist_sound.loc[songs["artist_key"]].set_axis(songs.index)
    sub = songs.index[songs["cluster"] == songs.at[seed, "cluster"]]
    sims = cosine_similarity(Z.loc[[seed]], Z.loc[sub])[0]
    sims = (sims + artist_weight * cosine_similarity(A.loc[[seed]], A.loc[sub])[0]) / (1 + artist_weight)
    order = np.argsort(-sims, kind="stable")
    return [(int(sub[o]), float(sims[o])) for o in order]


# -- basic promises ---------------------------------------------------------------------


def test_never_the_seed_or_a_copy_of_it(rec: Recommender) -> None:
    seeds = _copy_seeds(rec)
    assert seeds, "the bundled catalog has songs listed twice"
    for seed in seeds:
        picks = rec.recommend(seed, 25, per_artist=0)
        assert picks
        assert all(i != seed and rec.group_[i] != rec.group_[seed] for i, _ in picks)
        # and no song appears twice in one answer under two ids
        groups = [int(rec.group_[i]) for i, _ in picks]
        assert len(groups) == len(set(groups))


def test_same_cluster_and_similarity_order(model: MoodModel, rec: Recommender) -> None:
    for seed in _seeds(model):
        picks = rec.recommend(seed, 10)
        assert len(picks) == 10
        assert {int(model.labels_[i]) for i, _ in picks} == {int(model.labels_[seed])}
        sims = [s for _, s in picks]
        assert sims == sorted(sims, reverse=True)
        assert all(-1.0 - 1e-5 <= s <= 1.0 + 1e-5 for s in sims)


@pytest.mark.parametrize("weight", [0.0, ARTIST_WEIGHT])
def test_matches_brute_force_sklearn(model: MoodModel, weight: float) -> None:
    """Weight 0 is exactly the study's ranking; the default adds the artists' sound."""
    rec = Recommender(model, artist_weight=weight)
    for seed in _seeds(model, per_cluster=2):
        reference: list[tuple[int, float]] = []
        seen = {int(rec.group_[seed])}
        for i, s in _brute_force(model, seed, weight):
            if int(rec.group_[i]) not in seen:
                seen.add(int(rec.group_[i]))
                reference.append((i, s))
            if len(reference) == 10:
                break
        ours = rec.recommend(seed, 10, per_artist=0)
        assert np.allclose([s for _, s in ours], [s for _, s in reference], atol=1e-5)
        # indices agree except where float32 vs float64 could swap near-ties
        for (i, s), (j, t) in zip(ours, reference):
            assert i == j or abs(s - t) < 1e-5


def _expected_pages(
    model: MoodModel,
    rec: Recommender,
    seed: int,
    weight: float,
    n: int,
    pages: int,
    excluded: frozenset[int] = frozenset(),
    cap: int = 2,
) -> list[list[int]]:
    """The paging rule spelled out over the brute-force ranking: never the seed, an
    excluded song or a copy of either, one copy of a song at most, at most ``cap`` per
    artist per page, and songs over the cap first in line on the next page."""
    artist = model.songs_["artist_key"].tolist()
    seen = {int(rec.group_[i]) for i in (seed, *excluded)}
    ranking = []
    for i, _ in _brute_force(model, seed, weight):
        if i not in excluded and int(rec.group_[i]) not in seen:
            seen.add(int(rec.group_[i]))
            ranking.append(i)
    out, pending = [], ranking
    for _ in range(pages):
        page, counts, deferred = [], Counter(), []
        while pending and len(page) < n:
            i = pending.pop(0)
            if counts[artist[i]] >= cap:
                deferred.append(i)
                continue
            counts[artist[i]] += 1
            page.append(i)
        pending = deferred + pending
        out.append(page)
    return out


def _same_page(model: MoodModel, seed: int, weight: float, got: list[int], expected: list[int]) -> bool:
    """The same songs; the order may differ only where float32 and float64 disagree on a near-tie."""
    if got == expected:
        return True
    sims = dict(_brute_force(model, seed, weight))
    return len(got) == len(expected) and all(
        abs(sims[a] - sims[b]) < 1e-5 for a, b in zip(got, expected) if a != b
    )


@pytest.mark.parametrize("cut_pools", [False, True])
@pytest.mark.parametrize("weight", [0.0, ARTIST_WEIGHT])
def test_capped_pages_match_brute_force(
    model: MoodModel, weight: float, cut_pools: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages with the artist cap against the rule (see _expected_pages). ``cut_pools``
    forces the numpy per-artist cut that only big (grown) pools get."""
    import engine.recommend as recommend_module

    if cut_pools:
        monkeypatch.setattr(recommend_module, "CAP_POOL_MIN", 0)
    rec = Recommender(model, artist_weight=weight)
    for seed in [_artist_seed(model), *_seeds(model, per_cluster=2)]:
        for page, expected in enumerate(_expected_pages(model, rec, seed, weight, 5, 3)):
            got = [i for i, _ in rec.recommend(seed, 5, page=page)]
            assert len(got) == 5 and _same_page(model, seed, weight, got, expected)


@pytest.mark.parametrize("cap", [1, 2])
def test_prolific_artists_with_copies_page_like_the_rule(model: MoodModel, cap: int) -> None:
    """Seeds by artists with many songs in their mood (their surplus is trimmed before the
    ranking is cut) who also have songs listed twice: copies of the seed, of a better song
    or of a song shown before (even one listed in another mood) must not cost the artist
    its place on a page."""
    rec = Recommender(model)
    songs = model.songs_
    keys = list(zip(model.labels_.tolist(), songs["artist_key"].tolist()))
    counts = Counter(keys)
    groups = Counter(rec.group_.tolist())
    cases = 0
    for (cluster, artist), size in counts.most_common():
        if size <= 24:
            break
        members = [i for i, key in enumerate(keys) if key == (cluster, artist)]
        twins = [i for i in members if groups[int(rec.group_[i])] > 1]
        if not twins:
            continue
        # the seed itself has a copy; and, separately, a shown song that has a copy
        for seed, excluded in (
            (twins[0], frozenset()),
            (members[0] if members[0] != twins[0] else members[1], frozenset({twins[0]})),
        ):
            cases += 1
            ids = {rec.ids[i] for i in excluded}
            for page, expected in enumerate(
                _expected_pages(model, rec, seed, ARTIST_WEIGHT, 5, 3, excluded, cap)
            ):
                got = [i for i, _ in rec.recommend(seed, 5, page=page, per_artist=cap, exclude_ids=ids)]
                assert _same_page(model, seed, ARTIST_WEIGHT, got, expected), (seed, page)
    # a shown song whose copy sits in another mood, by a prolific artist of this one
    by_group: dict[int, list[int]] = {}
    for i, g in enumerate(rec.group_.tolist()):
        by_group.setdefault(g, []).append(i)
    for members in by_group.values():
        for j in members:
            others = [i for i in members if model.labels_[i] != model.labels_[j]]
            if not others or counts[keys[j]] <= 24:
                continue
            # seed: the artist's song here that sounds most like j, so j ranks high
            rows, sims = rec.similarities(j)
            mates = [i for i, key in enumerate(keys) if key == keys[j] and i != j]
            seed = max(mates, key=lambda i: sims[model.row_of_song_[i] - rows.start])
            cases += 1
            ids = {rec.ids[i] for i in others}
            for page, expected in enumerate(
                _expected_pages(model, rec, seed, ARTIST_WEIGHT, 5, 2, frozenset(others), cap)
            ):
                got = [i for i, _ in rec.recommend(seed, 5, page=page, per_artist=cap, exclude_ids=ids)]
                assert _same_page(model, seed, ARTIST_WEIGHT, got, expected), (seed, page)
    # (copies: versions of one title by one artist; exact re-listings are merged by the catalog)
    assert cases >= 4, "the study sample has prolific artists with copies"


@pytest.mark.parametrize("cap", [2, 1])
def test_per_artist_cap(model: MoodModel, rec: Recommender, cap: int) -> None:
    seed = _artist_seed(model)
    artist = model.songs_["artist_key"].tolist()
    uncapped = rec.recommend(seed, 10, per_artist=0)
    assert max(Counter(artist[i] for i, _ in uncapped).values()) > cap, "seed must test the cap"
    picks = rec.recommend(seed, 10, per_artist=cap)
    assert len(picks) == 10
    assert max(Counter(artist[i] for i, _ in picks).values()) <= cap


def test_default_cap_is_two(model: MoodModel, rec: Recommender) -> None:
    seed = _artist_seed(model)
    artist = model.songs_["artist_key"].tolist()
    assert max(Counter(artist[i] for i, _ in rec.recommend(seed, 10)).values()) <= 2


def test_exclusions_honoured(model: MoodModel, rec: Recommender) -> None:
    seed = _seeds(model)[0]
    first = rec.recommend(seed, 5)
    excluded = {rec.ids[i] for i, _ in first[:3]}
    again = rec.recommend(seed, 5, exclude_ids=excluded)
    assert len(again) == 5
    assert not excluded & {rec.ids[i] for i, _ in again}
    # unknown ids and odd types are ignored, not errors
    assert rec.recommend(seed, 5, exclude_ids={"nope", ""}) == first


def test_excluding_a_song_excludes_its_copies(rec: Recommender) -> None:
    seed = _copy_seeds(rec)[0]
    twin = next(i for i in range(rec.n_songs) if rec.group_[i] == rec.group_[seed] and i != seed)
    picks = rec.recommend(twin, 25, per_artist=0)
    # excluding the seed's copy (the twin) never lets the seed itself through either
    other = rec.recommend(picks[0][0], 50, per_artist=0, exclude_ids={rec.ids[twin]})
    assert all(rec.group_[i] != rec.group_[seed] for i, _ in other)


def test_paging_gives_new_songs(model: MoodModel, rec: Recommender) -> None:
    for seed in _seeds(model, per_cluster=1):
        pages = [rec.recommend(seed, 5, page=p) for p in range(4)]
        ids = [i for page in pages for i, _ in page]
        assert all(len(page) == 5 for page in pages)
        assert len(ids) == len(set(ids))
        assert seed not in ids
        # each page respects the cap on its own
        artist = model.songs_["artist_key"].tolist()
        for page in pages:
            assert max(Counter(artist[i] for i, _ in page).values()) <= 2


def test_paging_past_the_end_is_empty(model: MoodModel, rec: Recommender) -> None:
    smallest = int(np.argmin(model.sizes_))
    seed = int(model.order_[model.cluster_rows(smallest)][0])
    assert rec.recommend(seed, 25, page=10_000) == []


def test_targets_filter_every_pick(model: MoodModel, rec: Recommender) -> None:
    targets = parse_targets("tempo 100-130 energy>0.5")
    mask = target_mask(model.songs_, targets)
    for seed in _seeds(model, per_cluster=1):
        picks = rec.recommend(seed, 5, targets=targets)
        assert picks, "every cluster has songs at 100-130 BPM with some energy"
        assert all(mask[i] for i, _ in picks)


def test_targets_that_leave_nothing_give_nothing(model: MoodModel, rec: Recommender) -> None:
    nothing = [Target("tempo", 255.0, 256.0, "tempo 255-256")]
    assert rec.recommend(_seeds(model)[0], 5, targets=nothing) == []
    assert rec.vibe(0, 5, targets=nothing, rng=np.random.default_rng(0)) == []


def test_mask_cache_is_bounded_and_shared(rec: Recommender) -> None:
    a = rec.target_rows_mask(parse_targets("energy>0.5"))
    b = rec.target_rows_mask([Target("energy", a_low := float(np.nextafter(0.5, 1)), None, "x")])
    assert a is b and a_low > 0.5  # cached on what filters, not how it was typed
    for t in range(60):
        rec.target_rows_mask([Target("tempo", float(t), None, f"tempo>={t}")])
    assert len(rec._mask_cache) <= 32


def test_bad_seed_is_an_error(rec: Recommender) -> None:
    with pytest.raises(IndexError):
        rec.recommend(rec.n_songs)
    with pytest.raises(IndexError):
        rec.recommend(-1)
    with pytest.raises(TypeError):
        rec.recommend("12")  # type: ignore[arg-type]


# -- reasons ------------------------------------------------------------------------------


def test_reasons_are_short_and_readable(model: MoodModel, rec: Recommender) -> None:
    reasons = Reasons.of_model(model)
    for seed in _seeds(model):
        for i, _ in rec.recommend(seed, 5):
            text = reasons.reason(seed, i)
            assert text and len(text) <= MAX_REASON_CHARS
            assert "nan" not in text and "_" not in text
            assert text.startswith(("same ", "similar ", "close "))


def test_reason_quotes_numbers_in_units(model: MoodModel, rec: Recommender) -> None:
    reasons = Reasons.of_model(model)
    texts = [reasons.reason(seed, i) for seed in _seeds(model) for i, _ in rec.recommend(seed, 5)]
    assert any("BPM)" in t or "dB)" in t for t in texts)
    assert any(t.startswith("same high") or t.startswith("same low") for t in texts)


# -- vibe -----------------------------------------------------------------------------------


def test_vibe_typical_songs_of_the_cluster(model: MoodModel, rec: Recommender) -> None:
    for c in range(model.n_clusters_):
        picks = rec.vibe(c, 5, rng=np.random.default_rng(1))
        assert len(picks) == 5
        assert all(int(model.labels_[i]) == c for i, _ in picks)
        scores = [s for _, s in picks]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 < s <= 1.0 for s in scores)
        # drawn from the typical end: better than the cluster's median typicality
        members = np.flatnonzero(model.labels_ == c)
        median = float(np.median(1.0 / (1.0 + model.centroid_distance_[members])))
        assert min(scores) >= median


def test_vibe_varies_by_seed_and_repeats_with_same_seed(rec: Recommender) -> None:
    a = rec.vibe(1, 5, rng=np.random.default_rng(1))
    b = rec.vibe(1, 5, rng=np.random.default_rng(2))
    assert a == rec.vibe(1, 5, rng=np.random.default_rng(1))
    assert {i for i, _ in a} != {i for i, _ in b}


def test_vibe_exclusions_and_targets(model: MoodModel, rec: Recommender) -> None:
    first = rec.vibe(3, 5, rng=np.random.default_rng(3))
    excluded = {rec.ids[i] for i, _ in first}
    again = rec.vibe(3, 5, rng=np.random.default_rng(3), exclude_ids=excluded)
    assert len(again) == 5 and not excluded & {rec.ids[i] for i, _ in again}
    targets = parse_targets("tempo 60-90")
    mask = target_mask(model.songs_, targets)
    picks = rec.vibe(1, 5, rng=np.random.default_rng(3), targets=targets)
    assert picks and all(mask[i] for i, _ in picks)


def test_vibe_bad_cluster(rec: Recommender) -> None:
    for bad in (-1, 99, True):
        with pytest.raises(IndexError):
            rec.vibe(bad)  # type: ignore[arg-type]


# -- compare --------------------------------------------------------------------------------


def test_compare_against_cluster_profile(model: MoodModel) -> None:
    seed = _seeds(model)[0]
    rows = Reasons.of_model(model).compare(seed)
    assert {r.feature for r in rows} == set(model.features)
    diffs = [abs(r.z_difference) for r in rows]
    assert diffs == sorted(diffs, reverse=True)
    c = int(model.labels_[seed])
    for r in rows:
        j = model.features.index(r.feature)
        assert r.value == pytest.approx(float(model.songs_.at[seed, r.feature]))
        assert r.cluster_mean == pytest.approx(float(model.profiles_[c, j]))
        assert r.overall_mean == pytest.approx(float(model.overall_profile_[j]))
        assert " — " in r.text and "this mood's" in r.text
        if r.z_difference > 0.25:
            assert "higher" in r.text or "longer" in r.text


def test_vibe_artist_cap_reaches_past_a_dominated_pool(model: MoodModel, rec: Recommender) -> None:
    # the rap cluster's most typical songs are radio plays by a handful of series
    c = next(m.cluster for m in model.moods_ if m.key == "rap")
    picks = rec.vibe(c, 25, rng=np.random.default_rng(0))
    assert len(picks) == 25
    artist = model.songs_["artist_key"].tolist()
    assert max(Counter(artist[i] for i, _ in picks).values()) <= 2
    assert len(rec.vibe(c, 25, rng=np.random.default_rng(0), per_artist=1)) == 25


def test_big_cluster_paths_agree_with_small_ones(
    model: MoodModel, rec: Recommender, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunked matvec, threshold pre-selection and per-artist pool cuts only kick in on
    big clusters; forcing them on the bundled ones must not change a single answer."""
    import engine.recommend as recommend_module

    seeds = _seeds(model, per_cluster=2)
    targets = parse_targets("energy>0.3")
    # small n keeps the pool small enough for pre-selection on the two biggest clusters
    expected = {
        s: (
            rec.similarities(s)[1],
            rec.recommend(s, 2),
            rec.recommend(s, 5, page=2),
            rec.recommend(s, 3, targets=targets),
        )
        for s in seeds
    }
    monkeypatch.setattr(recommend_module, "MATVEC_CHUNK", 97)
    monkeypatch.setattr(recommend_module, "THRESHOLD_PRESELECT_ROWS", 64)
    monkeypatch.setattr(recommend_module, "CAP_POOL_MIN", 0)

    def same(a: list[tuple[int, float]], b: list[tuple[int, float]]) -> bool:
        # BLAS may sum in another order per chunk: scores agree to float32 rounding
        return [i for i, _ in a] == [i for i, _ in b] and np.allclose(
            [x for _, x in a], [x for _, x in b], atol=1e-6
        )

    for s in seeds:
        sims, top, page2, filtered = expected[s]
        assert np.allclose(rec.similarities(s)[1], sims, atol=1e-6)
        assert same(rec.recommend(s, 2), top)
        assert same(rec.recommend(s, 5, page=2), page2)
        assert same(rec.recommend(s, 3, targets=targets), filtered)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), 11, True, "0.5", None])
def test_artist_weight_must_be_a_sane_number(model: MoodModel, bad: object) -> None:
    with pytest.raises(ValueError, match="artist_weight"):
        Recommender(model, artist_weight=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("weight", [0.0, ARTIST_WEIGHT, 10.0])
def test_similarity_is_a_cosine_whatever_the_artist_weight(model: MoodModel, weight: float) -> None:
    """The ranking vectors stay unit length: a song is 100% similar to itself and
    nothing scores outside -1..1, so "% similar" reads the same at any weight."""
    rec = Recommender(model, artist_weight=weight)
    for seed in _seeds(model, per_cluster=1):
        rows, sims = rec.similarities(seed)
        assert sims[model.row_of_song_[seed] - rows.start] == pytest.approx(1.0, abs=1e-5)
        assert sims.min() >= -1.0 - 1e-5 and sims.max() <= 1.0 + 1e-5


def test_trimming_a_prolific_artist_keeps_songs_within_float_noise_of_the_cut(rec: Recommender) -> None:
    """The seed artist's surplus is cut on float32 scores, whose last bits differ between
    CPUs: a song one ulp below the cut may rank above a kept one in the exact order, so it
    must stay (else another machine could show another song), while songs far below go."""
    key, (own, _copies) = next((k, v) for k, v in rec._prolific.items() if v[0].shape[0] > 8 and not v[1])
    seed_row = int(own[0])
    cluster = key // rec._n_artists
    start = rec.model.cluster_bounds_[cluster]
    seed = int(rec._row_meta[0, start + seed_row])
    assert int(rec._labels[seed]) == cluster
    keep = 2
    _, sims = rec.similarities(seed)
    sims[seed_row] = -np.inf
    others = own[1:]
    # the artist's other songs at 0.9, 0.8, then one a single ulp below 0.8, then far below
    values = np.linspace(0.5, 0.1, others.shape[0]).astype(np.float32)
    values[:3] = [0.9, 0.8, np.nextafter(np.float32(0.8), np.float32(-1))]
    sims[others] = values
    rec._trim_seed_artist(seed, sims, keep, {seed}, {int(rec.group_[seed])})
    assert np.isfinite(sims[others[:3]]).all(), "a song within float noise of the cut was trimmed"
    assert np.isneginf(sims[others[3:]]).all(), "songs well below the cut should be trimmed"
