"""One BLAS thread for serving: the engine's products are matrix-vector, short and many.

OpenBLAS splits a product over every core once it is large enough; for the engine's
matrix-vector products (a cluster's ranking block, the word-search rows) the split costs
more than it saves, badly so on a busy machine: at 100,000 songs a recommendation took
5.96 ms p50 with OpenBLAS's default threads against 0.44 ms with one (2-core machine,
load average ~2.6). Whether a process got one thread or several depended on what it
happened to import before (scikit-learn, pandas and joblib change it), so a serving
process that no longer imports them (engine.served) sets it itself.
"""

from __future__ import annotations

import logging
import threading

logger = logging.getLogger(__name__)

_DONE = threading.Event()


def single_threaded_blas() -> None:
    """Limit BLAS to one thread in this process (once; a no-op without threadpoolctl)."""
    if _DONE.is_set():
        return
    _DONE.set()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a dependency of scikit-learn, so normally there
        logger.info("threadpoolctl is not installed: BLAS keeps its own thread count")
        return
    threadpool_limits(1, user_api="blas")


__all__ = ["single_threaded_blas"]
