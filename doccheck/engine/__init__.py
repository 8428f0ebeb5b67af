"""Rule engine: loading packs, the type registry, running rules over documents."""
