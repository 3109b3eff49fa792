"""``python -m engine``: the documented name of the command line, which lives in clusterfy_cli."""

import runpy  # a front end: imported only when run as a program, so the engine never depends on it

runpy.run_module("clusterfy_cli", run_name="__main__", alter_sys=True)
