"""Mutations for every write of the registry core: one `input`, a payload with `userErrors`."""
