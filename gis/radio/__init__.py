"""Propagation models, antenna patterns, link budget, terrain and the coverage engine."""
