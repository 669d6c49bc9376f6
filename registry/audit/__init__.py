"""The change log (who, when, what, before and after) and history: the registry "as of" a date."""
