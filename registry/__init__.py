"""gridreg: a registry of the Party-building grid, served as GraphQL."""
