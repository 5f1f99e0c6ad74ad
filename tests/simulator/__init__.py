"""Stateful simulator of the APIs this collection talks to (see README.md)."""

from tests.simulator.core import (  # noqa: F401 - the package's public surface
    Reply, Request, Response, Route, Service, Simulator, json_response,
)
