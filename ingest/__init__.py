"""Ingest: load guide files, chunk them by heading, and index them in Chroma."""
