"""Tests for engine.charts: valid PNG bytes, bounded size, no warnings or leaked figures."""

from __future__ import annotations

import copy
import os
import struct
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from engine import charts
from engine.evaluation import KResult

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REPO = Path(__file__).resolve().parent.parent


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def check_png(data: bytes, min_bytes: int = 10_000) -> tuple[int, int]:
    assert isinstance(data, bytes)
    width, height = png_size(data)
    assert 300 <= width <= 1200, width
    assert 200 <= height <= 1200, height
    assert len(data) >= min_bytes, f"suspiciously small PNG ({len(data)} bytes)"
    return width, height


@pytest.fixture(scope="module")
def evaluation() -> list[KResult]:
    """Plausible figures for k=2..6 (charts only draw them; no need to fit five models)."""
    return [
        KResult(
            k=k,
            inertia=27_000 - 2_500 * (k - 2),
            silhouette=sil,
            davies_bouldin=db,
            sizes=[3096 // k] * k,
            silhouette_sample=3096,
        )
        for k, sil, db in [
            (2, 0.19, 1.99),
            (3, 0.234, 1.61),
            (4, 0.236, 1.53),
            (5, 0.19, 1.66),
            (6, 0.165, 1.74),
        ]
    ]


@pytest.fixture(scope="module")
def cjk_index(model) -> int:
    names = model.songs_["name"]
    hits = names.index[names.str.contains(r"[\u3040-\u30ff\u4e00-\u9fff]", regex=True)]
    assert len(hits), "the bundled catalog should hold Japanese/Chinese titles"
    return int(hits[0])


def test_elbow_png(evaluation):
    check_png(charts.elbow_png(evaluation))
    check_png(charts.elbow_png(evaluation, model_k=5))


def test_elbow_png_needs_results():
    with pytest.raises(ValueError):
        charts.elbow_png([])


@pytest.mark.parametrize(
    "make",
    [charts.sizes_png, charts.profile_png, charts.pca_png, charts.genres_png],
    ids=["sizes", "profiles", "pca", "genres"],
)
def test_model_charts_are_pngs(model, make):
    check_png(make(model))


def test_song_profile_png(model):
    la_java = int(model.songs_.index[model.songs_["name"] == "La Java"][0])
    check_png(charts.song_profile_png(model, la_java))


def test_pca_png_highlight_differs_from_plain_map(model):
    plain = charts.pca_png(model)
    starred = charts.pca_png(model, highlight=0)
    check_png(starred)
    assert plain != starred


@pytest.mark.parametrize("bad", [-1, 10**9])
def test_song_charts_refuse_bad_index(model, bad):
    with pytest.raises(ValueError, match="outside the catalog"):
        charts.song_profile_png(model, bad)
    with pytest.raises(ValueError, match="outside the catalog"):
        charts.pca_png(model, highlight=bad)


def test_non_latin_and_dollar_titles_render_silently(model, cjk_index, capfd):
    """CJK (no font for it may be installed), Arabic, emoji and '$' must not crash or warn."""
    tweaked = copy.copy(model)
    tweaked.songs_ = model.songs_.copy()
    tweaked.songs_.loc[1, "name"] = "$uicideboy$ 🎹 مرحبا 日本語 — a very long title that goes on"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_png(charts.song_profile_png(model, cjk_index))
        check_png(charts.pca_png(model, highlight=cjk_index))
        check_png(charts.song_profile_png(tweaked, 1))
        check_png(charts.pca_png(tweaked, highlight=1))
    glyph = [w for w in caught if "Glyph" in str(w.message) or "font" in str(w.message).lower()]
    assert not glyph, [str(w.message) for w in glyph]
    captured = capfd.readouterr()
    assert "Glyph" not in captured.err and "missing from" not in captured.err


def test_no_figures_leak_and_warning_filters_restored(model):
    import matplotlib.pyplot as plt

    before_filters = list(warnings.filters)
    before = plt.get_fignums()
    charts.sizes_png(model)
    charts.pca_png(model, highlight=3)
    assert plt.get_fignums() == before
    assert warnings.filters == before_filters


def test_each_chart_is_quick(model, evaluation):
    """Each chart takes well under a second on an idle machine (about 0.2-0.5 s).

    Measured in CPU time of this process, so a busy CI machine does not make it flaky;
    the bound leaves room for slow runners.
    """
    charts.sizes_png(model)  # font cache warm-up
    for make in (
        lambda: charts.elbow_png(evaluation),
        lambda: charts.sizes_png(model),
        lambda: charts.profile_png(model),
        lambda: charts.pca_png(model, highlight=0),
        lambda: charts.genres_png(model),
        lambda: charts.song_profile_png(model, 0),
    ):
        start = time.process_time()
        make()
        assert time.process_time() - start < 1.5


def test_write_report(model, evaluation, tmp_path):
    paths = charts.write_report(model, tmp_path / "out", evaluation=evaluation)
    # issue 15 adds the valence x energy mood map
    assert [p.name for p in paths] == [
        "k_selection.png",
        "cluster_sizes.png",
        "cluster_profiles.png",
        "pca_map.png",
        "top_genres.png",
        "mood_map.png",
    ]
    for p in paths:
        assert p.parent == tmp_path / "out"
        check_png(p.read_bytes())


def test_write_report_without_evaluation_skips_k_chart(model, tmp_path):
    assert model.evaluation_ is None
    paths = charts.write_report(model, tmp_path)
    assert "k_selection.png" not in [p.name for p in paths]
    assert len(paths) == 5  # sizes, profiles, pca, genres and (issue 15) the mood map


def test_module_selects_agg_backend():
    code = "import engine.charts, matplotlib; print(matplotlib.get_backend())"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().lower() == "agg"


def test_mood_map_places_clusters_and_words(model):
    from engine.words.vocabulary import VOCABULARY
    from engine.words.word_search import word_points

    points = word_points(model)
    assert len(points) == len(VOCABULARY)
    where = {w: (v, e) for w, v, e in points}
    # the words sit where their picks are: sad low on both axes, happy high valence
    assert where["sad"][0] < where["happy"][0] and where["sad"][1] < where["workout"][1]
    assert all(0 <= v <= 1 and 0 <= e <= 1 for v, e in where.values())
    png = charts.mood_map_png(model, points)
    check_png(png)
