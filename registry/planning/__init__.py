"""Pairings (household contacts, leader pairings, hub households), mobilisation, chains and
resilience: each read from the registry as plain data, solved by graph/, explained, applied."""
