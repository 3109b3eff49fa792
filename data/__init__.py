"""The bundled catalog files, installed as the package ``clusterfy_data``.

pyproject.toml maps this folder to that package so a non-editable install carries the
CSVs; :mod:`engine.paths` finds them here (checkout) or through importlib.resources.
"""
