"""Bundled corpus (package data)."""
