"""Clusterfy engine: load a song catalog, cluster it into moods, resolve names, recommend.

Pure Python (pandas, numpy, scikit-learn, rapidfuzz); never imports discord so it can
run behind any front end: the Discord bot, the console, the CLI or a notebook.
"""

__version__ = "0.1.0"
