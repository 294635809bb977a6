"""Helpers for the tests and benchmarks: real servers to start, and a tiny BERT to build."""
