"""Entry script of the dashboard: settings in the sidebar, the shared engine, the five pages.

Run with ``python3 run.py dashboard`` (or ``streamlit run dashboard/app.py``). Each page is
its own module under ``dashboard/views``; this script loads the engine once per settings
(cached across sessions by :mod:`dashboard.data`) and hands it to whichever page is open.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run dashboard/app.py` puts only dashboard/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data  # noqa: E402

logger = logging.getLogger("dashboard")

PAGES = (
    ("views/overview.py", "Overview", ":material/dashboard:", "overview"),
    ("views/moods.py", "Moods", ":material/palette:", "moods"),
    ("views/map.py", "Map", ":material/scatter_plot:", "map"),
    ("views/recommend.py", "Recommend", ":material/queue_music:", "recommend"),
    ("views/chat.py", "Chat", ":material/chat:", "chat"),
    ("views/try_k.py", "Try k", ":material/tune:", "try-k"),
)


def sidebar_settings() -> tuple[str, str, str]:
    """The catalog, k and model-file fields, defaulting to what the bot would use."""
    defaults = data.env_defaults()
    with st.sidebar:
        st.markdown("### Model settings")
        catalog = st.text_input(
            "Catalog",
            value=defaults["catalog"],
            key="catalog",
            help="A Spotify-features CSV or Parquet file, a folder of them, or several "
            "paths joined by ':' (CLUSTERFY_CATALOG).",
        )
        k = st.text_input(
            "Number of moods k",
            value=defaults["k"],
            key="k",
            help="2 to 50, or auto (CLUSTERFY_K). The study uses 4.",
        )
        model = st.text_input(
            "Model file (optional)",
            value=defaults["model"],
            key="model",
            help="A model saved by Clusterfy (CLUSTERFY_MODEL). Empty: the cached "
            "model of the catalog at this k, built on first use.",
        )
        st.caption(
            "Same settings as the bot: the defaults come from CLUSTERFY_CATALOG, "
            "CLUSTERFY_K and CLUSTERFY_MODEL."
        )
    return catalog, k, model


def main() -> None:
    st.set_page_config(page_title="Clusterfy dashboard", page_icon="🎧", layout="wide")
    nav = st.navigation(
        [
            st.Page(path, title=title, icon=icon, url_path=url, default=i == 0)
            for i, (path, title, icon, url) in enumerate(PAGES)
        ]
    )
    catalog, k, model = sidebar_settings()
    try:
        ctx = data.load_context(data.parse_settings(catalog, k, model))
    except data.SettingsError as err:
        st.title("Clusterfy dashboard")
        data.show_settings_error(err)
        st.session_state.pop("clusterfy_ctx", None)
        return
    st.session_state["clusterfy_ctx"] = ctx
    with st.sidebar:
        m = ctx.model
        st.caption(f"Serving {len(m.labels_):,} songs in {m.n_clusters_} moods.")
    try:
        nav.run()
    except Exception as exc:
        logger.exception("dashboard page failed")
        st.error(
            f"Something went wrong on this page ({type(exc).__name__}). "
            "Try another page or reload; the log has the details."
        )


main()
