"""Clusterfy engine: load a song catalog, cluster it into moods, resolve names, recommend.

Pure Python (pandas, numpy, scikit-learn, rapidfuzz); never imports discord so it can
run behind any front end: the Discord bot, the console, the CLI or a notebook.

Where to start reading: ``service`` (the ``Engine`` every front end calls; what it returns
is in ``results``, what it raises in ``errors``, its input checks in ``guards``); ``parts``
(the serving parts: ``song_table``, ``resolver``, ``recommend`` and ``words.word_search``);
``model`` (clustering) and ``moods`` (naming clusters); ``reasons`` (picks in English);
``words/`` (mood words); ``listeners/`` (taste, playlists, journeys); ``storage/`` (what is
saved and loaded); ``catalog`` (reading song files).
"""

__version__ = "0.1.0"
