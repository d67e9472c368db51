"""Authoring tools for the book's chapters; not part of the installed `rnnbook` package."""
