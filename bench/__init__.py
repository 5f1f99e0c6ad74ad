"""Benchmarks against the simulator: request counts and timings, each against a baseline measured
in the same run. ``python -m bench.run --help``.

Importing this package puts the checkout and its collections path on ``sys.path``, so scenarios can
import the collection's own clients."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests.harness import import_collection  # noqa: E402 - needs ROOT on sys.path

import_collection()
