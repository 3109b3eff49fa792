"""Issue 24: a serving process loads plain arrays, never the estimator.

``load_served`` builds an :class:`engine.served.ServedModel` from the artifact's record and
arrays without unpickling anything, and an engine over it answers exactly as one over the
estimator; a fresh interpreter that loads a saved model and answers a recommend and a
plain-language ask has imported no scikit-learn, SciPy, pandas or matplotlib.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.model import MoodModel
from engine.served import ServedModel
from engine.service import Engine
from engine.storage.artifact import ArtifactError, checksum_path, load_model, load_served, save_model

ROOT = Path(__file__).resolve().parent.parent
#: What a serving process must not import (module roots).
HEAVY = ("sklearn", "scipy", "pandas", "matplotlib")


@pytest.fixture(scope="module")
def saved(model: MoodModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_model(model, tmp_path_factory.mktemp("served") / "model.joblib")


def test_the_served_model_holds_the_estimators_numbers(model: MoodModel, saved: Path):
    served = load_served(saved)
    assert isinstance(served, ServedModel)
    assert served.features == tuple(model.features)
    assert served.n_clusters_ == model.n_clusters_
    assert served.moods_ == list(model.moods_)
    assert served.validation_ == model.validation_
    np.testing.assert_array_equal(served.scaler_.mean_, model.scaler_.mean_)
    np.testing.assert_array_equal(served.scaler_.scale_, model.scaler_.scale_)
    np.testing.assert_array_equal(served.kmeans_.cluster_centers_, model.kmeans_.cluster_centers_)
    np.testing.assert_array_equal(served.cluster_bounds_, model.cluster_bounds_)
    np.testing.assert_array_equal(served.profiles_, model.profiles_)
    assert served.summary() == model.summary()
    assert len(served.songs_) == len(model.songs_)  # the song table, read on first use


def test_an_engine_over_the_served_model_answers_as_over_the_estimator(model: MoodModel, saved: Path):
    ours, theirs = Engine(load_served(saved)), Engine(load_model(saved))
    for i in range(0, ours.n_songs, 97):
        sid = ours.table.ids[i]
        assert ours.recommend(sid, 10) == theirs.recommend(sid, 10)
    for c in range(ours.model.n_clusters_):
        assert ours.recommender.vibe(c, 10, rng=np.random.default_rng(1)) == theirs.recommender.vibe(
            c, 10, rng=np.random.default_rng(1)
        )
    assert ours.moods_overview() == theirs.moods_overview()


def test_an_older_artifact_is_refused_with_the_rebuild_message(saved: Path, tmp_path: Path):
    record = json.loads(checksum_path(saved).read_text())
    current = record["format_version"]
    record["format_version"] = current - 1
    checksum_path(saved).write_text(json.dumps(record))
    try:
        with pytest.raises(ArtifactError, match="rebuild it with"):
            load_served(saved)
    finally:
        record["format_version"] = current
        checksum_path(saved).write_text(json.dumps(record))


#: A bot process's start: its modules, the model loaded as the bot loads it, two answers.
SERVE = r"""
import json, sys
import bot.client, bot.conversation, bot.startup
from engine.service import Engine
engine = Engine.load(model_path=sys.argv[1])
assert type(engine.model).__name__ == "ServedModel"
picks = engine.recommend(engine.recommender.ids[0], 10)
turn = engine.converse(None, "something chill for studying")
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2].split(",")))
print(json.dumps({"picks": len(picks.picks), "heavy": heavy}))
"""


def test_a_serving_process_imports_no_sklearn_scipy_pandas_or_matplotlib(saved: Path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", SERVE, str(saved), ",".join(HEAVY)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["picks"] > 0
    assert got["heavy"] == [], f"a serving process imported {got['heavy']}"


def test_every_vocabulary_word_has_its_saved_ranking_equal_to_a_fresh_one(model: MoodModel, saved: Path):
    """The first ask of a word reads the ranking saved with the model: the very one a
    fresh ranking gives (engine.words.word_search)."""
    from engine.words.vocabulary import VOCABULARY
    from engine.words.word_search import WordSearch, aim_key

    loaded = Engine(load_served(saved)).word_search
    fresh = WordSearch(Engine(model).recommender)  # no saved arrays: every ranking computed
    assert fresh._saved is None
    for word in VOCABULARY:
        aims = fresh.usable(word.aims)
        if not aims:
            continue
        got = loaded._saved_ranking((aim_key(aims), None))
        assert got is not None, word.word
        want = fresh.ranked(aims)
        np.testing.assert_array_equal(got[0], want[0], err_msg=word.word)
        np.testing.assert_array_equal(got[1], want[1], err_msg=word.word)


def test_report_attributes_come_from_the_estimator_on_first_use(model: MoodModel, saved: Path):
    """Reports (the CLI's stats, catalog tests) still read what only the estimator holds."""
    served = load_served(saved)
    assert "_estimator" not in served.__dict__  # not unpickled at load
    assert served.metrics_ == model.metrics_
    assert "_estimator" in served.__dict__
    with pytest.raises(AttributeError):
        served.no_such_attribute_  # noqa: B018 - the lookup is the test
