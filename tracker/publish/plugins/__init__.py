"""Datasette loads every module here with --plugins-dir (this file too: it has no hooks)."""
