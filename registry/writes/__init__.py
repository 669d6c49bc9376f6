"""Writes of the registry: plain async functions `(session, actor, recorder, ...)` that check,
write and record. They never import strawberry; the API adapter calls them through run_write."""
