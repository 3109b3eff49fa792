"""Benchmarks for the Clusterfy engine (run as modules: python -m benchmarks.bench_engine)."""
