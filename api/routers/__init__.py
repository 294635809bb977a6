"""One router per resource: search, documents, projects, stats, write, and health."""
