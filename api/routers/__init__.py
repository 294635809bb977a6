"""One router per resource: search, documents, projects, stats, sources, write, and health."""
