"""Annulus: candidacy, treatment and outcomes for intra-annular fibrin injection."""
