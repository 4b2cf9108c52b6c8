"""The clinic's outcomes beside the evidence: cohort reports, benchmarks, published snapshots."""
