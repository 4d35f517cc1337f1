"""linkcrawl's spiders. Thin: where to start and what to follow; analysis is in linkcrawl/."""
