"""Candidacy: is this patient a candidate for intra-annular fibrin, and if not, where next?

The pure engine lives in `annulus.candidacy.engine`; protocols are data in `protocols/`.
"""
