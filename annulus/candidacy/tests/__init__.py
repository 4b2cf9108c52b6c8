"""Tests of the candidacy app."""
