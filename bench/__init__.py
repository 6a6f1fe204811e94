"""Benchmarks: scripts, not tests. Each prints its figures as ratios against a stated bound and exits
non-zero when one misses; run them from the repository root with ``.venv/bin/python -m bench.<name>``."""
