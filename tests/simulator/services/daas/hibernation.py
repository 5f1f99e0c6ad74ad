"""A hibernated DaaS site: the Cloud way in (``/cvad/manage``, and seed 001's ``/cvadapis``) answers every
request, ``/me`` first, with HTTP 530 until the site is activated with
``POST /resourceprovider/{customerId}/site/activation?customerId={customerId}`` (the Citrix Cloud facts'
"DaaS site activation"); it then wakes ``activation_seconds`` simulator seconds later. The on-premises
Orchestration API never hibernates.

The facts give no body for the 530 and none for the activation's answer: the 530 carries a short text, and
the activation answers ``202 Accepted`` without a body (again while the site is waking: no second wake-up).
"""

from tests.simulator.base import Response

HIBERNATED_TEXT = 'The Citrix DaaS site is hibernated.'


def is_hibernated(estate):
    """Whether the site is still asleep at this simulator time (it wakes once its activation is done)."""
    if estate.hibernated and estate.wake_at is not None and estate.clock.now() >= estate.wake_at:
        estate.hibernated = False
        estate.wake_at = None
    return estate.hibernated


def hibernated_reply():
    return Response(530, HIBERNATED_TEXT, content_type='text/plain; charset=utf-8')


def activate(estate):
    """Start waking the site (once); returns the simulator time it will be awake at, or None if awake."""
    estate.activations += 1
    if is_hibernated(estate) and estate.wake_at is None:
        estate.wake_at = estate.clock.now() + estate.activation_seconds
    return estate.wake_at


def hibernate(estate, activation_seconds=None):
    """Put the site to sleep (tests and the admin API)."""
    estate.hibernated = True
    estate.wake_at = None
    if activation_seconds is not None:
        estate.activation_seconds = float(activation_seconds)
