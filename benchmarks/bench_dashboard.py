"""How fast the dashboard's pages answer on a big catalog: ``python -m benchmarks.bench_dashboard``.

Writes a synthetic catalog of ``--songs`` songs (see :mod:`benchmarks.synthetic`), builds
or loads its cached model, then runs every page through Streamlit's AppTest (the page
script end to end, without a browser) and prints seconds per page: the first visit
(per-model tables built) and a warm rerun, plus the map with a mood filter and a picked
song. Separate from ``python -m benchmarks`` because it needs the ``dashboard`` extra.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import make_catalog, write_study_csv
from engine.paths import PROJECT_ROOT

PAGES = ("views/overview.py", "views/moods.py", "views/map.py", "views/recommend.py", "views/try_k.py")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "clusterfy-bench-dashboard"
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ["CLUSTERFY_CACHE_DIR"] = str(args.workdir / "cache")
    catalog = args.workdir / f"synthetic-{args.songs}.csv"
    if not catalog.exists():
        write_study_csv(make_catalog(args.songs, seed=0), catalog)
    os.environ["CLUSTERFY_CATALOG"] = str(catalog)
    for name in ("CLUSTERFY_K", "CLUSTERFY_MODEL"):
        os.environ.pop(name, None)

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=900)
    started = time.perf_counter()
    at.run()
    print(f"catalog: {args.songs:,} synthetic songs ({catalog})")
    print(f"{'start (model load or build, engine)':<40} {time.perf_counter() - started:7.2f} s")
    for page in PAGES:
        for label in ("first visit", "rerun"):
            started = time.perf_counter()
            at.switch_page(page).run()
            took = time.perf_counter() - started
            assert not at.exception, [e.value for e in at.exception]
            print(f"{page.split('/')[-1][:-3] + ' ' + label:<40} {took:7.2f} s")
    at.switch_page("views/map.py").run()
    started = time.perf_counter()
    at.multiselect[0].set_value(at.multiselect[0].options[:1]).run()
    print(f"{'map, one mood only':<40} {time.perf_counter() - started:7.2f} s")
    started = time.perf_counter()
    at.text_input(key="map_query").input("la java").run()
    print(f"{'map, a picked song and its neighbours':<40} {time.perf_counter() - started:7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
