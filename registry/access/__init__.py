"""Who may see and do what: tokens, the actor a token stands for, scopes, lookups in scope."""
