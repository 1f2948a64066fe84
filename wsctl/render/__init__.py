"""Renderers: results in, Rich tables / JSON / YAML / IDs out. Imported only when output is due."""
