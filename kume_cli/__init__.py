"""The `kume` command line, the composition root that wires the stages together."""
