"""Per-hamlet mobile and FTTH coverage, fiber extension, sharing, tower siting, indicators."""
