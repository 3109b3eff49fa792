"""Clusterfy's command line, a front end over :mod:`engine` (as :mod:`bot` is for Discord).

``python -m clusterfy_cli`` (also ``python -m engine`` and the ``clusterfy-engine`` script):
``fit``, ``evaluate``, ``report``, ``search``, ``recommend``, ``cluster``, ``vibe``.
:mod:`clusterfy_cli.cli` parses and runs the commands; :mod:`clusterfy_cli.output` holds
the terminal and JSON output helpers.
"""
