"""The web dashboard, driven with Streamlit's own AppTest on the bundled catalog.

One fitted model is shared: the session's model is saved once into a temporary cache
directory where the dashboard's ``obtain_model`` finds it, so no test fits k=4 again.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest

from engine.catalog import load_catalog
from engine.errors import EngineError
from engine.paths import PROJECT_ROOT, STUDY_SAMPLE_FILE, cached_model_path
from engine.storage.artifact import load_model, save_model

APP = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGES = {
    "views/overview.py": "Clusterfy — overview",
    "views/moods.py": "Moods",
    "views/map.py": "Map",
    "views/recommend.py": "Recommend",
    "views/try_k.py": "Try another k",
    "views/chat.py": "Chat",
}


@pytest.fixture(scope="session")
def saved_model_cache(tmp_path_factory: pytest.TempPathFactory, model) -> Path:
    """A cache directory holding the session's k=4 model of the bundled catalog."""
    cache = tmp_path_factory.mktemp("dashboard-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLUSTERFY_CACHE_DIR", str(cache))
        served = copy.copy(model)  # shares the fitted arrays; only adds what build_model records
        served.cleaning_report_ = load_catalog(STUDY_SAMPLE_FILE)[1]
        save_model(served, cached_model_path(STUDY_SAMPLE_FILE, 4))
    return cache


@pytest.fixture
def dash_cache(saved_model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment of a fresh install pointed at that cache (for this test only)."""
    monkeypatch.setenv("CLUSTERFY_CACHE_DIR", str(saved_model_cache))
    monkeypatch.setenv("CLUSTERFY_CATALOG", str(STUDY_SAMPLE_FILE))  # the study sample, as tests pin it
    for name in ("CLUSTERFY_K", "CLUSTERFY_MODEL", "CLUSTERFY_DASHBOARD_PORT"):
        monkeypatch.delenv(name, raising=False)
    return saved_model_cache


@pytest.fixture
def app(dash_cache: Path) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    return at


def shown_errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not shown_errors(at), shown_errors(at)


def test_every_page_renders_on_the_bundled_catalog(app: AppTest, model) -> None:
    for page, title in PAGES.items():
        app.switch_page(page).run()
        assert_clean(app)
        assert app.title[0].value == title
    app.switch_page("views/overview.py").run()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["silhouette"] == f"{model.metrics_.silhouette:.3f}"
    assert metrics["rows read"] == "3,288" and metrics["songs"] == f"{len(model.labels_):,}"
    assert metrics["dropped"] == "0" and metrics["merged"] == "192"  # other releases of listed songs


def test_the_map_counts_every_song_and_filters_by_mood(app: AppTest, model, monkeypatch) -> None:
    import dashboard.data

    monkeypatch.setattr(dashboard.data, "MAP_MAX_POINTS", 1000)
    app.switch_page("views/map.py").run()
    assert_clean(app)
    captions = " ".join(c.value for c in app.caption)
    n = len(model.labels_)
    assert f"{n:,} of {n:,} songs match" in captions and "1,000 of them drawn" in captions
    focus = next(m for m in model.moods_ if m.key == "focus")
    app.multiselect[0].set_value([focus.label]).run()
    size = int(model.sizes_[focus.cluster])
    assert f"{size:,} of {n:,} songs match" in " ".join(c.value for c in app.caption)


def test_a_search_returns_picks(app: AppTest, engine) -> None:
    app.switch_page("views/recommend.py").run()
    app.text_input(key="rec_query").input("la java").run()
    assert_clean(app)
    expected = engine.recommend("la java", 5)
    assert any("Songs like La Java" in s.value for s in app.subheader)
    table = app.dataframe[0].value
    assert list(table["song"]) == [p.song.name for p in expected.picks]
    assert all(url.startswith("https://open.spotify.com/") for url in table["listen"])


@pytest.mark.parametrize("query, where", [("zzqxqzzq vvkkq", ""), ("la java", "energy>7")])
def test_a_bad_request_shows_the_bots_error_text(app: AppTest, engine, query: str, where: str) -> None:
    with pytest.raises(EngineError) as caught:
        engine.recommend(query, 5, where=where)
    app.switch_page("views/recommend.py").run()
    app.text_input(key="rec_where").input(where)
    app.text_input(key="rec_query").input(query).run()
    assert not app.exception
    assert len(app.error) == 1 and app.error[0].value.startswith(caught.value.message)


def test_vibe_deals_what_the_engine_deals_for_mood_words(app: AppTest, engine) -> None:
    app.switch_page("views/recommend.py").run()
    app.text_input(key="vibe_word").input("study").run()
    assert_clean(app)
    # mood words are places in the sound, across moods (issue 15): the page deals exactly
    # what the engine deals the bot for the same words and seed, and says where they come from
    expected = engine.vibe("study", 5, seed=0)
    assert any(f"{expected.query} vibes" in s.value for s in app.subheader)
    assert list(app.dataframe[-1].value["song"]) == [p.song.name for p in expected.picks]
    assert any(f"{expected.mood.label} (" in c.value for c in app.caption)


def test_try_k_3_shows_its_metrics_and_saves_only_when_asked(app: AppTest, dash_cache: Path) -> None:
    target = cached_model_path(STUDY_SAMPLE_FILE, 3)
    app.switch_page("views/try_k.py").run()
    assert app.selectbox(key="try_k").value == "3"
    next(b for b in app.button if b.label == "Fit k=3").click().run()
    assert_clean(app)
    table = app.dataframe[0].value
    assert list(table["k"]) == [4, 3]
    assert all(-1 <= s <= 1 for s in table["silhouette"]) and table["silhouette"][0] != table["silhouette"][1]
    assert not target.exists()  # fitting alone changes nothing for the bot
    assert any(str(target) in m.value for m in app.markdown)
    next(b for b in app.button if b.label.startswith("Save as the bot's model")).click().run()
    assert_clean(app)
    assert app.success and str(target) in app.success[0].value
    assert load_model(target).n_clusters_ == 3


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("catalog", "", "the catalog path is empty"),
        ("catalog", "/no/such/catalog.csv", "catalog file not found"),
        ("catalog", "{empty}", "catalog folder holds no CSV or Parquet file"),
        ("catalog", "{broken}", "the catalog cannot be used"),
        ("k", "99", "k must be a whole number from 2 to 50"),
        ("k", "four", "k must be a whole number from 2 to 50"),
    ],
)
def test_bad_settings_show_a_message_not_a_traceback(
    app: AppTest, tmp_path: Path, field: str, value: str, expected: str
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("title,whatever\nsong,1\n", encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    app.text_input(key=field).input(value.format(empty=empty, broken=broken)).run()
    assert not app.exception
    assert len(app.error) == 1 and expected in app.error[0].value
    assert "Traceback" not in app.error[0].value


def test_a_tampered_model_file_is_refused_with_a_message(
    app: AppTest, dash_cache: Path, tmp_path: Path
) -> None:
    source = cached_model_path(STUDY_SAMPLE_FILE, 4)
    bad = tmp_path / "model.joblib"
    payload = bytearray(source.read_bytes())
    payload[len(payload) // 2] ^= 0xFF
    bad.write_bytes(bytes(payload))
    (tmp_path / "model.joblib.sha256.json").write_bytes(
        source.with_name(source.name + ".sha256.json").read_bytes()
    )
    app.text_input(key="model").input(str(bad)).run()
    assert not app.exception
    assert len(app.error) == 1 and "SHA-256 does not match" in app.error[0].value


def test_the_bot_and_the_engine_never_import_the_dashboard() -> None:
    code = (
        "import sys, bot.conversation, bot.client, clusterfy_cli.cli, engine.service; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'dashboard')]; "
        "assert not bad, bad"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )


def test_the_launcher_serves_on_localhost_and_prints_the_address(dash_cache: Path) -> None:
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--port", str(port)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert f"http://localhost:{port}" in proc.stdout.readline()
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    assert r.read() == b"ok"
                break
            except OSError:
                assert time.monotonic() < deadline, "the dashboard did not start within 60 s"
                time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(15)
    with pytest.raises(OSError):  # stopping the launcher stopped the server too (no orphan left)
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)


def test_the_chat_page_holds_a_conversation(app: AppTest) -> None:
    app.switch_page("views/chat.py").run()
    app.chat_input[0].set_value("something chill").run()
    assert_clean(app)
    first = list(app.dataframe[-1].value["song"])
    assert len(first) == 5 and any("Chill" in m.value for m in app.markdown)
    next(b for b in app.button if b.label == "Sadder").click().run()
    assert_clean(app)
    second = list(app.dataframe[-1].value["song"])
    assert len(second) == 5 and not set(first) & set(second)
    assert any("sadder (positivity" in m.value for m in app.markdown)
    app.chat_input[0].set_value("asdfgh qwerty").run()
    assert not app.exception and any("couldn't read that" in w.value for w in app.warning)
