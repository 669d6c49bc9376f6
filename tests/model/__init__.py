"""Model-based tests: random sequences of real mutations checked against a plain model."""
