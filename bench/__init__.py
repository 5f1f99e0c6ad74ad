"""Benchmarks against the simulator: request counts and timings, each against a baseline measured
in the same run. ``python -m bench.run --help``."""
