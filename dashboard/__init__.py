"""Clusterfy's web dashboard: a Streamlit app over the same engine and cached model as the bot.

Optional (``pip install '.[dashboard]'``); nothing in ``engine/`` or ``bot/`` imports it.
Start it with ``python3 run.py dashboard`` (see :mod:`dashboard.__main__`).
"""
