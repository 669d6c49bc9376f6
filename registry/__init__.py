"""gridreg: a registry of the Party-building grid, served as GraphQL.

Laid out by layer, each importing only the ones above it in this list (tests/test_architecture.py):

- core: tables, engines, paths, kinds, settings, errors, migrations
- access: tokens, actors, scopes, lookups within a scope
- audit: the change log, and history "as of" a date
- reports: coverage, rules, org charts, workbooks
- planning: pairings and mobilisation, the graph problems over the registry (graph/ solves them)
- writes: every write of the registry
- importer: workbooks in
- api, web: GraphQL, and the console's pages and downloads
- server: the ASGI application and how it is served
- cli: the gridreg command
"""
