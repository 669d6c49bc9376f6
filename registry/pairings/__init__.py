"""Pairings of members with places, and what hangs on them, over the registry.

`graph/` holds the pure algorithms; this package loads a scope's plain data from SQL (a handful
of statements per scope, never a statement per estate or per member), calls them, and stores
what is applied as dated `Pairing` rows with change-log records:

- `territory`  the estates of a scope as `graph.model` records (ids are the users' codes);
- `settings`   the household-contact ratio k per scope (`place_setting`, nearest ancestor wins);
- `storing`    applying a plan: end the replaced pairings, open the new ones, record each;
- `contacts`   household contacts (党员联系户), `leaders` leader pairings (班子成员包联),
  `hubs` hub households (党员中心户);
- `chain`      the responsibility chain of a household, building or estate;
- `resilience` single points of failure, and what one member's departure breaks.
"""
