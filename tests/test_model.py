"""The mood model on the real bundled catalog: quality, names, k choice, API, serving layout.

Figures asserted here are the ones a user sees (``clusterfy`` prints silhouette and
Davies–Bouldin, the bot shows the four mood names), so a change that moves them fails.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.validation import check_is_fitted

from engine.evaluation import KResult, choose_k
from engine.features import AUDIO_FEATURES
from engine.model import MoodModel, NotFittedError, check_fitted
from engine.moods import name_moods

STUDY_MOODS = {"Instrumental/Focus", "Party/Energetic", "Rap/Spoken", "Chill/Acoustic"}
PARAMS = {"n_clusters", "features", "k_range", "n_init", "random_state"}


def quiet(_msg: str) -> None:
    """Progress sink: keeps test output clean."""


@pytest.fixture(scope="module")
def by_label(model: MoodModel) -> dict[str, int]:
    return {m.label: m.cluster for m in model.moods_}


# -- quality at k=4 ------------------------------------------------------------------
def test_k4_quality_matches_the_study(model: MoodModel, songs: pd.DataFrame):
    assert model.n_clusters_ == 4
    assert 0.20 <= model.metrics_.silhouette <= 0.28
    assert 1.3 <= model.metrics_.davies_bouldin <= 1.8
    assert model.metrics_.silhouette_sample == len(songs)  # exact below 20k songs
    assert sum(model.sizes_) == len(songs) == 3096
    assert model.metrics_.sizes == model.sizes_.tolist()
    assert min(model.sizes_) >= 100  # no degenerate cluster
    summary = model.summary()
    assert sum(row["size"] for row in summary) == len(songs)
    assert sum(row["share"] for row in summary) == pytest.approx(1.0)


def test_k4_has_the_four_study_moods(model: MoodModel):
    assert {m.label for m in model.moods_} == STUDY_MOODS
    assert [m.cluster for m in model.moods_] == [0, 1, 2, 3]
    assert {m.key for m in model.moods_} == {"focus", "party", "rap", "chill"}


def _mean(model: MoodModel, feature: str) -> np.ndarray:
    return model.profiles_[:, model.features.index(feature)]


def test_mood_names_follow_what_the_clusters_sound_like(model: MoodModel, by_label):
    """Each name sits on the cluster whose average song earns it."""
    assert np.argmax(_mean(model, "instrumentalness")) == by_label["Instrumental/Focus"]
    assert np.argmax(_mean(model, "speechiness")) == by_label["Rap/Spoken"]
    assert np.argmax(_mean(model, "acousticness")) == by_label["Chill/Acoustic"]
    assert np.argmin(_mean(model, "energy")) == by_label["Chill/Acoustic"]
    assert np.argmax(_mean(model, "energy")) == by_label["Party/Energetic"]
    assert np.argmax(_mean(model, "loudness")) == by_label["Party/Energetic"]
    # The numbers quoted in descriptions are the cluster's real averages.
    focus = model.mood(by_label["Instrumental/Focus"])
    assert "instrumentalness" in focus.description
    assert f"{_mean(model, 'instrumentalness')[by_label['Instrumental/Focus']]:.2f}" in focus.description


def test_naming_is_driven_by_centroids_not_cluster_numbers(model: MoodModel):
    centers = model.kmeans_.cluster_centers_
    perm = np.array([2, 0, 3, 1])
    renamed = name_moods(centers[perm], model.features, model.profiles_[perm], model.overall_profile_)
    assert [m.label for m in renamed] == [model.moods_[p].label for p in perm]
    # A different seed numbers clusters differently; names still follow the content.
    other = MoodModel(4, random_state=7).fit(model.songs_, progress=quiet)
    for mood in other.moods_:
        match = model.moods_[
            int(np.bincount(model.labels_[other.labels_ == mood.cluster], minlength=4).argmax())
        ]
        assert mood.label == match.label


def test_fitting_is_deterministic(model: MoodModel, songs: pd.DataFrame):
    again = MoodModel(4).fit(songs, progress=quiet)
    np.testing.assert_array_equal(again.labels_, model.labels_)
    assert [m.label for m in again.moods_] == [m.label for m in model.moods_]


def test_predict_on_the_fitted_songs_gives_their_labels(model: MoodModel, songs: pd.DataFrame):
    np.testing.assert_array_equal(model.predict(songs), model.labels_)
    np.testing.assert_allclose(model.transform(songs).mean(axis=0), 0.0, atol=1e-9)


# -- labels for other k ---------------------------------------------------------------
@pytest.mark.parametrize("k", range(2, 9))
def test_labels_unique_and_sensible_for_k(k: int, songs: pd.DataFrame):
    fitted = MoodModel(k).fit(songs, progress=quiet)
    moods = fitted.moods_
    assert len(moods) == k == fitted.n_clusters_
    assert [m.cluster for m in moods] == list(range(k))
    labels = [m.label for m in moods]
    assert len(set(labels)) == k
    assert len({m.key for m in moods}) == k
    for mood in moods:
        assert mood.label.strip() and mood.key.strip() and mood.emoji
        assert mood.description.strip().endswith(".")
        assert mood.key in mood.words()
        if mood.emoji != "🎵":  # an archetype matched: people can ask for it by synonym
            assert len(mood.synonyms) >= 3
    if k >= 4:  # the study's moods persist as k grows
        assert {"Instrumental/Focus", "Rap/Spoken"} <= set(labels)


# -- choosing k -------------------------------------------------------------------------
@pytest.mark.slow
def test_auto_chooses_4_on_the_bundled_catalog(songs: pd.DataFrame, model: MoodModel):
    auto = MoodModel("auto").fit(songs, progress=quiet)
    assert auto.n_clusters == "auto"  # the parameter is left as given
    assert auto.n_clusters_ == 4
    assert [r.k for r in auto.evaluation_] == list(range(2, 11))
    assert all(isinstance(r, KResult) for r in auto.evaluation_)
    assert choose_k(auto.evaluation_) == 4
    best = max(auto.evaluation_, key=lambda r: r.silhouette)
    assert best.k == 4
    for r in auto.evaluation_:
        assert sum(r.sizes) == len(songs) and len(r.sizes) == r.k
        assert -1 <= r.silhouette <= 1 and r.davies_bouldin > 0
    assert {m.label for m in auto.moods_} == STUDY_MOODS
    # the same moods as asking for k=4 directly (auto reuses its evaluation's fit)
    np.testing.assert_array_equal(auto.labels_, model.labels_)
    assert auto.metrics_ == model.metrics_


def test_fixed_k_leaves_evaluation_empty(model: MoodModel):
    assert model.evaluation_ is None


def test_progress_messages_reach_the_caller(songs: pd.DataFrame):
    said: list[str] = []
    MoodModel(3).fit(songs, progress=said.append)
    assert any("fitting K-Means (k=3" in m for m in said)
    assert any("silhouette" in m for m in said)


# -- estimator conventions ------------------------------------------------------------------
def test_fit_returns_self_and_learned_state_ends_in_underscore(songs: pd.DataFrame):
    fresh = MoodModel(4, random_state=3)
    assert set(vars(fresh)) == PARAMS
    assert fresh.fit(songs, progress=quiet) is fresh
    learned = set(vars(fresh)) - PARAMS
    assert learned and all(name.endswith("_") for name in learned)
    assert {
        "scaler_",
        "kmeans_",
        "labels_",
        "moods_",
        "unit_vectors_",
        "order_",
        "coords_2d_",
        "validation_",
        "metrics_",
    } <= learned
    assert fresh.n_clusters == 4 and fresh.random_state == 3  # params untouched


def test_it_is_a_scikit_learn_estimator_clone_and_params_round_trip():
    original = MoodModel(5, features=("energy", "tempo", "valence"), n_init=3, random_state=9)
    assert isinstance(original, BaseEstimator)
    assert original.get_params() == {
        "n_clusters": 5,
        "features": ("energy", "tempo", "valence"),
        "k_range": (2, 10),
        "n_init": 3,
        "random_state": 9,
    }
    copy = clone(original)
    assert copy is not original and copy.get_params() == original.get_params()
    assert copy.set_params(n_clusters="auto", k_range=(3, 5)) is copy
    assert copy.n_clusters == "auto" and copy.k_range == (3, 5)
    assert original.n_clusters == 5  # the clone is independent
    assert "n_clusters=5" in repr(original)
    with pytest.raises(ValueError):
        original.set_params(colour=3)


def test_check_is_fitted_follows_fit_and_clone_drops_learned_state(model: MoodModel):
    fresh = MoodModel(4)
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(fresh)
    with pytest.raises(NotFittedError, match="not fitted"):
        check_fitted(fresh)
    check_is_fitted(model)  # no error
    check_fitted(model)
    assert model.n_features_in_ == len(AUDIO_FEATURES)
    assert list(model.feature_names_in_) == list(AUDIO_FEATURES)
    unfitted_copy = clone(model)
    assert not hasattr(unfitted_copy, "labels_")
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(unfitted_copy)
    assert not hasattr(fresh, "sizes_")  # an unfitted model has no learned attributes at all


def test_fit_predict_matches_labels_and_predict(songs: pd.DataFrame, model: MoodModel):
    head = songs.head(600)
    labels = MoodModel(3).fit_predict(head, progress=quiet)
    assert labels.shape == (600,) and set(labels.tolist()) == {0, 1, 2}
    np.testing.assert_array_equal(model.predict(songs), model.labels_)


def test_every_fitted_attribute_is_documented(model: MoodModel):
    doc = MoodModel.__doc__ or ""
    section = doc.split("Attributes\n    ----------")[1]
    learned = {name for name in vars(model) if name.endswith("_")}
    learned |= {"sizes_", "n_features_in_", "feature_names_in_"}
    missing = {name for name in learned if f"\n    {name} : " not in section}
    assert not missing, f"fitted attributes without an Attributes entry: {sorted(missing)}"


def test_unfitted_use_is_refused_before_the_table_is_read():
    with pytest.raises(NotFittedError):
        MoodModel(4).transform("not a table")


def test_transform_refuses_a_table_without_the_features(model: MoodModel, songs: pd.DataFrame):
    with pytest.raises(ValueError, match="lacks feature column"):
        model.transform(songs.drop(columns=["energy"]))
    with pytest.raises(TypeError, match="pandas DataFrame"):
        model.fit(songs[list(AUDIO_FEATURES)].to_numpy(), progress=quiet)


@pytest.mark.parametrize(
    "use",
    [
        lambda m, s: m.transform(s),
        lambda m, s: m.predict(s),
        lambda m, s: m.cluster_rows(0),
        lambda m, s: m.sizes_,
        lambda m, s: m.mood(0),
        lambda m, s: m.summary(),
    ],
    ids=["transform", "predict", "cluster_rows", "sizes_", "mood", "summary"],
)
def test_unfitted_use_raises_not_fitted(use, songs: pd.DataFrame):
    with pytest.raises(NotFittedError, match="not fitted"):
        use(MoodModel(4), songs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_clusters": 1}, "between 2 and 50"),
        ({"n_clusters": 0}, "between 2 and 50"),
        ({"n_clusters": 51}, "between 2 and 50"),
        ({"n_clusters": "x"}, "integer or 'auto'"),
        ({"n_clusters": 4.0}, "integer or 'auto'"),
        ({"n_clusters": True}, "integer or 'auto'"),
        ({"n_clusters": None}, "integer or 'auto'"),
        ({"features": ("energy", "colour")}, "unknown audio feature(s) colour; choose from danceability"),
        ({"features": ("energy", "genres")}, "unknown audio feature(s) genres"),
        ({"features": ("energy", "popularity")}, "unknown audio feature(s) popularity"),
        ({"features": ("energy",)}, "at least two"),
        ({"features": ("energy", "energy")}, "listed once"),
        ({"n_clusters": "auto", "k_range": (1, 5)}, "2 <= min <= max"),
        ({"n_clusters": "auto", "k_range": (6, 3)}, "2 <= min <= max"),
    ],
)
def test_invalid_parameters_raise_clear_value_errors(kwargs, message, songs: pd.DataFrame):
    bad = MoodModel(**kwargs)
    with pytest.raises(ValueError) as info:
        bad.fit(songs.head(200), progress=quiet)
    assert message in str(info.value)
    assert not hasattr(bad, "kmeans_")  # nothing half-fitted left behind


def test_more_clusters_than_songs_is_refused(songs: pd.DataFrame):
    with pytest.raises(ValueError, match="10 songs are too few for 12 clusters"):
        MoodModel(12).fit(songs.head(10), progress=quiet)
    with pytest.raises(ValueError, match="too few"):
        MoodModel(10).fit(songs.head(10), progress=quiet)


def test_a_table_without_the_features_or_with_gaps_is_refused(songs: pd.DataFrame):
    with pytest.raises(ValueError, match="lacks feature column"):
        MoodModel(3).fit(songs.drop(columns=["tempo"]), progress=quiet)
    holed = songs.head(300).copy()
    holed.loc[5, "energy"] = np.nan
    with pytest.raises(ValueError, match="load it with load_catalog"):
        MoodModel(3).fit(holed, progress=quiet)


# -- serving layout -------------------------------------------------------------------------
def test_unit_vectors_have_norm_one(model: MoodModel, songs: pd.DataFrame):
    assert model.unit_vectors_.shape == (len(songs), len(AUDIO_FEATURES))
    assert model.unit_vectors_.dtype == np.float32 and model.unit_vectors_.flags.c_contiguous
    np.testing.assert_allclose(np.linalg.norm(model.unit_vectors_, axis=1), 1.0, atol=1e-5)


def test_cluster_rows_hold_exactly_that_cluster(model: MoodModel):
    covered = 0
    for c in range(model.n_clusters_):
        rows = model.cluster_rows(c)
        songs_there = model.order_[rows]
        assert len(songs_there) == model.sizes_[c]
        assert (model.labels_[songs_there] == c).all()
        assert rows.start == covered
        covered = rows.stop
    assert covered == len(model.labels_)
    assert sorted(model.order_.tolist()) == list(range(len(model.labels_)))


def test_row_of_song_inverts_order(model: MoodModel, songs: pd.DataFrame):
    n = len(songs)
    np.testing.assert_array_equal(model.order_[model.row_of_song_], np.arange(n))
    np.testing.assert_array_equal(model.row_of_song_[model.order_], np.arange(n))
    # The unit vector stored for song i is song i's scaled features, normalised.
    z = model.transform(songs.iloc[[17]])[0]
    np.testing.assert_allclose(model.unit_vectors_[model.row_of_song_[17]], z / np.linalg.norm(z), atol=1e-5)


def test_centroid_distances(model: MoodModel, songs: pd.DataFrame):
    assert model.centroid_distance_.shape == (len(songs),)
    z = model.transform(songs)
    expected = np.linalg.norm(z - model.kmeans_.cluster_centers_[model.labels_], axis=1)
    np.testing.assert_allclose(model.centroid_distance_, expected, rtol=1e-5)


# -- validation, genres, map ----------------------------------------------------------------
def test_genre_validation_figures(model: MoodModel, songs: pd.DataFrame):
    v = model.validation_
    assert v.songs_with_genre == sum(len(g) > 0 for g in songs["genres"]) == 3014
    assert 0.0 < v.genre_purity <= 1.0
    assert 0.0 < v.genre_nmi <= 1.0
    assert set(v.top_genres) == set(v.top_artists) == set(range(4))
    for c in range(4):
        assert 1 <= len(v.top_genres[c]) <= 5
        counts = [n for _, n in v.top_genres[c]]
        assert counts == sorted(counts, reverse=True)
    focus = {m.label: m.cluster for m in model.moods_}["Rap/Spoken"]
    assert v.top_genres[focus][0][0] in {"hoerspiel", "kleine hoerspiel"}  # radio plays: spoken
    d = v.to_dict()
    assert set(d) >= {"genre_purity", "genre_nmi", "top_genres", "top_artists"}


def test_genres_never_enter_the_model(model: MoodModel, songs: pd.DataFrame):
    assert model.features == AUDIO_FEATURES
    assert "genres" not in model.features
    assert model.scaler_.n_features_in_ == len(AUDIO_FEATURES)
    shuffled = songs.copy()
    shuffled["genres"] = shuffled["genres"].sample(frac=1.0, random_state=0).to_numpy()
    refit = MoodModel(4).fit(shuffled, progress=quiet)
    np.testing.assert_array_equal(refit.labels_, model.labels_)
    assert refit.validation_.genre_nmi < model.validation_.genre_nmi  # only validation moved


def test_pca_map(model: MoodModel, songs: pd.DataFrame):
    assert model.coords_2d_.shape == (len(songs), 2)
    assert np.isfinite(model.coords_2d_).all()
    assert model.pca_.explained_variance_ratio_.sum() < 1.0
