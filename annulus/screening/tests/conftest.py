"""Shared public-site fixtures."""

from annulus.website.tests.fixtures import *  # noqa: F403
