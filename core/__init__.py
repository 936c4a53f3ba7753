"""The bottom layer: settings, errors, the embedding model and the Chroma store. Both `ingest`
and `assistant` build on it; it imports neither."""
