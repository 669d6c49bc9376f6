"""The ASGI application (GraphQL, the console, health) and how `gridreg serve` runs it."""
