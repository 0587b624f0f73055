"""Benchmarks, run by hand (each module says how)."""
