"""End-to-end tests of ``python -m engine``: real subprocesses on the bundled catalog.

Every call runs with CLUSTERFY_CACHE_DIR in a temporary folder, so the suite never
reads or writes the user's cache. One model is fitted per session (the ``fitted``
fixture, which is also the ``fit --json`` test) and passed with ``--model`` to the
query commands to keep the suite fast.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.words.vocabulary import VOCABULARY

REPO = Path(__file__).resolve().parent.parent
CATALOG = REPO / "data" / "single_genre_artists_sample.csv"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LABELS = {"Instrumental/Focus", "Party/Energetic", "Rap/Spoken", "Chill/Acoustic"}
SONG_KEYS = {"id", "name", "artist", "cluster", "mood"}
PICK_KEYS = {"id", "name", "artist", "cluster", "similarity", "reason"}
TIMEOUT = 600


def make_env(cache_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CLUSTERFY_CATALOG", "CLUSTERFY_CACHE_DIR", "MPLBACKEND"}
    }
    env["CLUSTERFY_CACHE_DIR"] = str(cache_dir)
    # The study sample alone: these tests pin its figures (the default is the bundled union,
    # see test_default_catalog_builds_into_cache_dir_on_first_use).
    env["CLUSTERFY_CATALOG"] = str(CATALOG)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(env: dict[str, str], *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine", *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=TIMEOUT,
    )


def ok_json(proc: subprocess.CompletedProcess[str]) -> dict:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)  # the whole of stdout is one JSON object


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clusterfy-cache")


@pytest.fixture(scope="session")
def env(cache_dir: Path) -> dict[str, str]:
    return make_env(cache_dir)


@pytest.fixture(scope="session")
def fitted(env, tmp_path_factory) -> tuple[Path, dict, subprocess.CompletedProcess[str]]:
    """``fit --json`` once per session: the model path, its JSON answer and the process."""
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    proc = run(env, "fit", "--data", CATALOG, "--k", 4, "--model", path, "--json")
    payload = ok_json(proc)
    return path, payload, proc


@pytest.fixture(scope="session")
def model_path(fitted) -> Path:
    return fitted[0]


@pytest.fixture(scope="session")
def bad_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "bad.csv"
    path.write_text("name,artists,energy\nLa Java,Mistinguett,0.2\nOther,Someone,0.9\n", encoding="utf-8")
    return path


# -- fit ---------------------------------------------------------------------------------
def test_fit_json(fitted):
    path, payload, proc = fitted
    assert set(payload) >= {"cleaning", "k", "metrics", "clusters", "validation", "model"}
    assert payload["k"] == 4
    assert payload["cleaning"]["rows_kept"] == 3096
    assert payload["cleaning"]["rows_read"] >= 3096
    metrics = payload["metrics"]
    assert 0.20 <= metrics["silhouette"] <= 0.28
    assert 1.3 <= metrics["davies_bouldin"] <= 1.8
    assert metrics["inertia"] > 0
    assert metrics["silhouette_sample"] == 3096
    clusters = payload["clusters"]
    assert {c["label"] for c in clusters} == LABELS
    assert sorted(c["cluster"] for c in clusters) == [0, 1, 2, 3]
    assert sum(c["size"] for c in clusters) == 3096
    assert abs(sum(c["share"] for c in clusters) - 1.0) < 1e-9
    assert all(c["description"] for c in clusters)
    assert set(payload["validation"]) == {"genre_purity", "genre_nmi"}
    assert 0 < payload["validation"]["genre_purity"] <= 1
    assert Path(payload["model"]) == path and path.is_file()
    assert path.with_name(path.name + ".sha256.json").is_file()
    assert proc.stderr == ""  # progress only on a terminal or with --progress


def test_fit_text_then_default_model_is_reused(tmp_path):
    """Without --model, fit writes the cache file that every other command then loads."""
    from engine.paths import cached_model_path

    env = make_env(tmp_path / "cache")
    proc = run(env, "fit")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "rows read: 3,288; kept: 3,096" in out
    assert re.search(r"silhouette\s+0\.2\d\d", out)
    assert re.search(r"Davies–Bouldin\s+1\.\d\d\d", out)
    assert "inertia" in out and "3,096 songs" in out
    for label in LABELS:
        assert label in out
    assert re.search(r"^id\s+mood\s+size\s+share\s+description$", out, re.M)
    old = os.environ.get("CLUSTERFY_CACHE_DIR")
    os.environ["CLUSTERFY_CACHE_DIR"] = str(tmp_path / "cache")
    try:
        expected = cached_model_path(CATALOG, 4)
    finally:
        if old is None:
            del os.environ["CLUSTERFY_CACHE_DIR"]
        else:
            os.environ["CLUSTERFY_CACHE_DIR"] = old
    assert f"model saved to {expected}" in out
    assert expected.is_file()
    stamp = expected.stat().st_mtime_ns

    proc = run(env, "search", "La Java", "--json", "--progress")
    payload = ok_json(proc)
    assert payload["matches"][0]["name"] == "La Java"
    assert "loading cached model" in proc.stderr
    assert "building" not in proc.stderr
    assert expected.stat().st_mtime_ns == stamp
    # issue 13: the model, its record and its arrays folder (`fit` saves directly: no build lock)
    folder = json.loads((tmp_path / "cache" / (expected.name + ".sha256.json")).read_text())["arrays"]["dir"]
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(
        [expected.name, expected.name + ".sha256.json", folder]
    )


def test_default_catalog_builds_into_cache_dir_on_first_use(tmp_path):
    env = make_env(tmp_path / "cache")
    del env["CLUSTERFY_CATALOG"]  # the real default: the bundled union
    payload = ok_json(run(env, "vibe", "focus", "-n", "2", "--seed", "1", "--json"))
    # the union's moods are Upbeat/Happy, Intense/Driving, Chill/Acoustic, Rap/Spoken: "focus"
    # is a mood word there, its picks the instrumental songs nearest its target
    assert len(payload["picks"]) == 2 and payload["mood"] in {"Chill/Acoustic", "Intense/Driving"}
    assert any(p.suffix == ".joblib" for p in (tmp_path / "cache").iterdir())


# -- evaluate ----------------------------------------------------------------------------
def test_evaluate_json_and_progress(env):
    proc = run(env, "evaluate", "--data", CATALOG, "--k-min", 2, "--k-max", 5, "--json", "--progress")
    payload = ok_json(proc)
    assert [r["k"] for r in payload["results"]] == [2, 3, 4, 5]
    for r in payload["results"]:
        assert set(r) >= {"k", "inertia", "silhouette", "davies_bouldin", "sizes"}
        assert len(r["sizes"]) == r["k"] and sum(r["sizes"]) == 3096
    inertias = [r["inertia"] for r in payload["results"]]
    assert inertias == sorted(inertias, reverse=True)
    assert payload["chosen_k"] == 4
    assert payload["silhouette_sample"] == 3096
    for k in range(2, 6):  # each k reported on stderr as it finishes
        assert re.search(rf"k={k}: silhouette 0\.\d+", proc.stderr)


def test_evaluate_text(env):
    proc = run(env, "evaluate", "--k-min", 2, "--k-max", 3)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"k\s+inertia\s+silhouette\s+Davies–Bouldin\s+sizes", proc.stdout)
    assert "chosen k = 3" in proc.stdout
    assert proc.stderr == ""


# -- report ------------------------------------------------------------------------------
def test_report_writes_pngs(env, model_path, tmp_path):
    out = tmp_path / "charts"
    proc = run(env, "report", "--model", model_path, "--out", out, "--k-max", 4)
    assert proc.returncode == 0, proc.stderr
    printed = [Path(line) for line in proc.stdout.splitlines() if line.strip()]
    assert [p.name for p in printed] == [
        "k_selection.png",
        "cluster_sizes.png",
        "cluster_profiles.png",
        "pca_map.png",
        "top_genres.png",
        "mood_map.png",
    ]  # issue 15 adds the mood map
    for p in printed:
        data = p.read_bytes()
        assert data[:8] == PNG_SIGNATURE
        assert len(data) > 10_000


# -- queries -----------------------------------------------------------------------------
def test_search_json(env, model_path):
    payload = ok_json(run(env, "search", "La Java", "--model", model_path, "--json"))
    assert set(payload) >= {"matches", "ambiguous"}
    assert payload["ambiguous"] is False
    first = payload["matches"][0]
    assert set(first) >= {"id", "name", "artist", "score"}
    assert (first["name"], first["artist"]) == ("La Java", "Mistinguett")
    assert 0 < first["score"] <= 100


def test_search_title_by_artist(env, model_path):
    payload = ok_json(run(env, "search", "la java by mistinguett", "--model", model_path, "--json"))
    assert payload["matches"][0]["name"] == "La Java"


def test_recommend_json(env, model_path):
    payload = ok_json(run(env, "recommend", "La Java", "-n", 5, "--model", model_path, "--json"))
    seed = payload["seed"]
    assert set(seed) >= SONG_KEYS
    assert seed["name"] == "La Java" and seed["mood"] == "Chill/Acoustic"
    picks = payload["picks"]
    assert len(picks) == 5
    for p in picks:
        assert set(p) >= PICK_KEYS
        assert p["cluster"] == seed["cluster"]
        assert -1 <= p["similarity"] <= 1
        assert p["reason"]
        assert p["id"] != seed["id"]
    sims = [p["similarity"] for p in picks]
    assert sims == sorted(sims, reverse=True)


def test_recommend_where(env, model_path):
    payload = ok_json(
        run(env, "recommend", "La Java", "--where", "energy<0.3", "-n", 3, "--model", model_path, "--json")
    )
    assert payload["picks"] and payload["targets"]


def test_cluster_json(env, model_path):
    payload = ok_json(run(env, "cluster", "La Java", "--model", model_path, "--json"))
    assert set(payload) >= {
        "song",
        "cluster",
        "mood",
        "size",
        "share",
        "top_genres",
        "top_artists",
        "comparison",
    }
    assert set(payload["song"]) >= SONG_KEYS
    assert payload["mood"] == "Chill/Acoustic" == payload["song"]["mood"]
    assert payload["cluster"] == payload["song"]["cluster"]
    assert 0 < payload["share"] < 1 and payload["size"] > 100
    assert payload["top_genres"] and {"name", "count"} <= set(payload["top_genres"][0])
    assert any(a["name"] == "Mistinguett" for a in payload["top_artists"])
    assert len(payload["comparison"]) == 10
    assert {"feature", "value", "cluster_mean", "text"} <= set(payload["comparison"][0])


def test_vibe_json(env, model_path):
    payload = ok_json(run(env, "vibe", "party", "-n", 4, "--seed", 7, "--model", model_path, "--json"))
    assert payload["mood"] == "Party/Energetic"
    assert isinstance(payload["cluster"], int)
    assert len(payload["picks"]) == 4
    for p in payload["picks"]:
        assert {"id", "name", "artist", "cluster", "typicality", "reason"} <= set(p)
        assert p["cluster"] == payload["cluster"]
    again = ok_json(run(env, "vibe", "party", "-n", 4, "--seed", 7, "--model", model_path, "--json"))
    assert [p["id"] for p in again["picks"]] == [p["id"] for p in payload["picks"]]


@pytest.mark.parametrize(
    "args, expect",
    [
        (("search", "La Java"), ["La Java", "Mistinguett"]),
        (("recommend", "La Java", "-n", "3"), ["seed: La Java — Mistinguett", "similarity"]),
        (("cluster", "La Java"), ["mood: Chill/Acoustic", "top genres:", "against its mood:"]),
        (("vibe", "study", "-n", "3", "--seed", "1"), ["Instrumental/Focus", "typical"]),
    ],
)
def test_text_output(env, model_path, args, expect):
    proc = run(env, *args, "--model", model_path)
    assert proc.returncode == 0, proc.stderr
    for word in expect:
        assert word in proc.stdout
    assert proc.stderr == ""
    assert not proc.stdout.lstrip().startswith("{")


# -- errors ------------------------------------------------------------------------------
def _error_cases():
    return [
        pytest.param(lambda m, b, t: ("fit", "--data", t / "missing.csv"), "not found", id="missing-file"),
        pytest.param(lambda m, b, t: ("fit", "--data", b), "missing required column", id="bad-csv-fit"),
        pytest.param(
            lambda m, b, t: ("evaluate", "--data", b), "missing required column", id="bad-csv-evaluate"
        ),
        pytest.param(lambda m, b, t: ("search", "La Java", "--data", t), "catalog", id="catalog-is-folder"),
        pytest.param(
            lambda m, b, t: ("search", "zzqxjv wqpl", "--model", m), "no song matches", id="search-no-match"
        ),
        pytest.param(
            lambda m, b, t: ("recommend", "zzqxjv wqpl", "--model", m),
            "no song matches",
            id="recommend-no-match",
        ),
        pytest.param(
            lambda m, b, t: ("cluster", "zzqxjv wqpl", "--model", m), "no song matches", id="cluster-no-match"
        ),
        pytest.param(
            lambda m, b, t: ("vibe", "blorpwave", "--model", m), "no mood called", id="unknown-mood"
        ),
        pytest.param(
            lambda m, b, t: ("recommend", "La Java", "--where", "energy>7", "--model", m),
            "energy",
            id="bad-where-value",
        ),
        pytest.param(
            lambda m, b, t: ("recommend", "La Java", "--where", "enrgy>0.5", "--model", m),
            "invalid target",
            id="bad-where-field",
        ),
        pytest.param(
            lambda m, b, t: ("recommend", "La Java", "--where", "energy>0.99", "--model", m),
            "no Chill/Acoustic songs",
            id="no-results",
        ),
        pytest.param(
            lambda m, b, t: ("evaluate", "--k-min", "5", "--k-max", "3"), "k range", id="bad-k-range"
        ),
        pytest.param(
            lambda m, b, t: ("report", "--model", b, "--out", t / "o"), "refusing to load", id="not-a-model"
        ),
        pytest.param(
            lambda m, b, t: ("report", "--model", m, "--out", b),
            "is a file, not a folder",
            id="out-is-a-file",
        ),
    ]


#: Text mode is checked on a few representative cases (each case is a subprocess).
TEXT_CASES = {"missing-file", "bad-csv-fit", "recommend-no-match", "unknown-mood", "bad-where-value"}


def _with_modes() -> list:
    params = []
    for case in _error_cases():
        params.append(pytest.param(*case.values, True, id=f"json-{case.id}"))
        if case.id in TEXT_CASES:
            params.append(pytest.param(*case.values, False, id=f"text-{case.id}"))
    return params


@pytest.mark.parametrize("make_args, needle, as_json", _with_modes())
def test_errors_are_one_line(env, model_path, bad_csv, tmp_path, make_args, needle, as_json):
    args = make_args(model_path, bad_csv, tmp_path)
    proc = run(env, *args, *(["--json"] if as_json else []))
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert needle in lines[0]
    if as_json:
        payload = json.loads(proc.stdout)
        assert set(payload) == {"error", "suggestions"}
        assert needle in payload["error"]
        assert isinstance(payload["suggestions"], list)
        assert all(isinstance(s, str) for s in payload["suggestions"])
    else:
        assert proc.stdout == ""


def test_unknown_mood_suggests_moods(env, model_path):
    payload = json.loads(run(env, "vibe", "blorpwave", "--model", model_path, "--json").stdout)
    # issue 15: the closest vocabulary words (they were the four mood keys); the moods stay in the message
    assert payload["suggestions"] and set(payload["suggestions"]) <= {w.word for w in VOCABULARY}
    assert all(key in payload["error"] for key in ("focus", "party", "rap", "chill"))


def test_corrupt_model_is_refused(env, model_path, tmp_path):
    bad = tmp_path / "model.joblib"
    bad.write_bytes(model_path.read_bytes()[:-100] + b"x" * 100)
    bad.with_name(bad.name + ".sha256.json").write_text(
        model_path.with_name(model_path.name + ".sha256.json").read_text()
    )
    proc = run(env, "cluster", "La Java", "--model", bad)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: refusing to load") and proc.stderr.count("\n") == 1


def test_a_refused_artifact_gets_the_cli_hint_only_when_it_names_no_fix(tmp_path):
    """The hint is chosen from the error's ``fix``, not by searching its wording."""
    from clusterfy_cli.cli import _describe_error
    from engine.storage.artifact import FIT_COMMAND, ArtifactError, load_model

    with pytest.raises(ArtifactError) as missing:
        load_model(tmp_path / "none.joblib")
    assert missing.value.fix == FIT_COMMAND
    assert _describe_error(missing.value) == (str(missing.value), [])
    unnamed = ArtifactError("refusing to load m.joblib: its arrays disagree on the number of songs")
    message, hints = _describe_error(unnamed)
    assert message == str(unnamed) and len(hints) == 1 and hints[0].startswith(FIT_COMMAND)


def test_a_catalog_error_gets_the_cli_hint_only_when_it_names_no_fix(tmp_path):
    """A table with no usable songs (its message gives reasons in brackets, no fix) gets
    the hint; a missing file or missing columns (their messages say what to try) do not."""
    from clusterfy_cli.cli import _describe_error
    from engine.catalog import CatalogError, load_catalog

    csv = tmp_path / "songs.csv"
    csv.write_text("track_name,artist\nA,B\n", encoding="utf-8")
    for path in (tmp_path / "missing.csv", csv):
        with pytest.raises(CatalogError) as named:
            load_catalog(path)
        assert named.value.names_fix and _describe_error(named.value) == (str(named.value), [])
    nan_rows = tmp_path / "nan.csv"
    header = "name,artists,danceability,energy,loudness,speechiness,acousticness,instrumentalness,"
    header += "liveness,valence,tempo,duration_ms"
    nan_rows.write_text(header + "\n" + "x,y" + ",NaN" * 10 + "\n", encoding="utf-8")
    with pytest.raises(CatalogError) as unnamed:
        load_catalog(nan_rows)
    assert "(" in str(unnamed.value) and not unnamed.value.names_fix  # brackets, but no fix
    message, hints = _describe_error(unnamed.value)
    assert message == str(unnamed.value) and len(hints) == 1 and hints[0].startswith("--data PATH")


@pytest.mark.parametrize(
    "args", [("fit", "--k", "1"), ("vibe",), ("recommend", "x", "-n", "0"), ("nonsense",)]
)
def test_usage_errors_exit_2(env, args):
    proc = run(env, *args)
    assert proc.returncode == 2
    assert "usage:" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery differs on Windows")
def test_ctrl_c_exits_130_quietly(env, tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "evaluate", "--k-min", "2", "--k-max", "12", "--progress"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        deadline = time.monotonic() + 300
        seen = ""
        while "evaluating" not in seen and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen += line
        assert "evaluating" in seen, seen
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert out == ""
