"""Reads planned from what a request selects: the read model (every node type, its fields,
relations and scope rule) and the compiler that answers a selection with one SQL statement
building JSON."""
