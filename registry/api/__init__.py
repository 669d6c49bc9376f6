"""The GraphQL adapter: strawberry types, queries and mutations over the registry core."""
