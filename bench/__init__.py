"""Benchmark scripts (not tests): run them with `python -m bench.<name>`; see bench/README.md."""
