"""Try k page: re-fit the catalog with another k, compare it with the served model, save on request.

Fitting goes through engine.storage.model_cache.build_model and saving through
engine.storage.artifact.save_model to the file the bot loads (CLUSTERFY_MODEL if set, else the
cache file of this catalog and k), so a saved model is exactly what the bot and the CLI would
have built.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data
from engine.paths import cached_model_path
from engine.storage.artifact import ArtifactError, save_model

ctx = data.current()
current = ctx.model
settings = ctx.settings
state = st.session_state

st.title("Try another k")
st.caption(
    f"Re-fit the catalog `{settings.catalog.name}` with another number of moods and compare it "
    "with the model in use. Nothing changes for the bot unless you press Save."
)

params = st.query_params  # ?k=5&fit=1 opens the page on a fitted k=5 (links, screenshots)
if params.get("k") in data.TRY_K_CHOICES and "try_k" not in state:
    state["try_k"] = params["k"]


def fit(choice: str) -> None:
    """Fit ``choice`` with a progress bar and keep the result in this session."""
    try:
        k = data.parse_k(choice, 2, 12)
        bar = data.ProgressBar(k)
        model = data.refit(settings.catalog, k, bar)
        bar.finish(f"done: k={model.n_clusters_}")
        state["try_k_result"] = (str(k), str(settings.catalog), model)
    except data.SettingsError as err:
        data.show_settings_error(err)


c1, c2 = st.columns([2, 5], vertical_alignment="bottom")
choice = c1.selectbox(
    "k",
    data.TRY_K_CHOICES,
    index=data.TRY_K_CHOICES.index("3"),
    key="try_k",
    help="2 to 12, or auto: the best silhouette over k=2..10.",
)
if c2.button(f"Fit k={choice}", type="primary"):
    fit(choice)
elif params.get("fit") == "1" and "try_k_result" not in state:
    fit(choice)

found = state.get("try_k_result")
if found is not None and found[1] == str(settings.catalog):
    asked, _, new = found
    name = f"new model (k={new.n_clusters_}{', auto' if asked == 'auto' else ''})"
    st.subheader("Side by side")
    rows = []
    for label, m in (("current model", current), (name, new)):
        v = m.validation_
        rows.append(
            {
                "model": label,
                "k": int(m.n_clusters_),
                "silhouette": m.metrics_.silhouette,
                "Davies–Bouldin": m.metrics_.davies_bouldin,
                "inertia": round(m.metrics_.inertia),
                "genre purity": None if v.genre_purity is None else round(100 * v.genre_purity),
                "genre NMI": v.genre_nmi,
                "smallest mood": int(min(m.sizes_)),
                "largest mood": int(max(m.sizes_)),
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "silhouette": st.column_config.NumberColumn(format="%.3f"),
            "Davies–Bouldin": st.column_config.NumberColumn(format="%.3f"),
            "inertia": st.column_config.NumberColumn(format="localized"),
            "genre purity": st.column_config.NumberColumn(format="%d%%"),
            "genre NMI": st.column_config.NumberColumn(format="%.3f"),
            "smallest mood": st.column_config.NumberColumn(format="localized"),
            "largest mood": st.column_config.NumberColumn(format="localized"),
        },
    )
    st.caption(
        "Silhouette: higher = moods better separated. Davies–Bouldin: lower is better. Inertia "
        "always falls as k grows, so compare it on the elbow chart (Overview), not alone."
    )
    st.altair_chart(charts.side_by_side_sizes(current, new, name), width="content")
    left, right = st.columns(2)
    for col, label, m in ((left, "current model", current), (right, name, new)):
        col.markdown(f"**{label}** moods: " + " · ".join(f"{mo.emoji} {mo.label}" for mo in m.moods_))

    st.subheader("Use it in the bot")
    asked_k: int | str = asked if asked == "auto" else int(asked)
    if settings.model_path is not None:
        target = settings.model_path
        st.markdown(
            f"The bot loads the model file **`{target}`** (CLUSTERFY_MODEL / the sidebar's model "
            "file). Saving replaces that file; the bot uses it from its next start."
        )
    else:
        target = cached_model_path(settings.catalog, asked_k)
        configured = data.env_defaults()["k"]
        same = str(asked_k) == configured
        then = (
            " — which is its current setting, so it uses it from its next start."
            if same
            else f": set `CLUSTERFY_K={asked_k}` in `.env` and restart it."
        )
        st.markdown(
            f"The bot loads the cached model of its catalog at its k (CLUSTERFY_K, now "
            f"**{configured}**). Saving writes **`{target}`**, the file it loads when "
            f"CLUSTERFY_K={asked_k}{then}"
        )
    if st.button(f"Save as the bot's model ({target.name})"):
        try:
            save_model(new, target)
        except ArtifactError as exc:
            st.error(f"{exc}. Check that the folder exists and is writable.")
        else:
            data.forget_engines()
            st.success(f"Saved {target}. Set k to {asked_k} in the sidebar to explore it here.")
else:
    st.info(
        "Pick a k and press Fit. A few seconds on the bundled catalog, about half a minute "
        "(k=auto: several minutes) on 100,000 songs."
    )
