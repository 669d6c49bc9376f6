"""The kernel every layer stands on: tables, engines, SQL helpers, paths, kinds, settings,
errors, shared checks and the migrations."""
