"""Image references, sources and layer streaming."""
