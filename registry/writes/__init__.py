"""Writes of the registry: commands (typed requests) and the services that carry them out,
`(session, actor, command)`, checking and writing; the change log writes itself. They never
import strawberry: the API's one runner sends them commands (`registry.writes.commands`)."""
