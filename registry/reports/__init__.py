"""Read-side reports: coverage, the rules report, org charts (today and as of a date), workbooks."""
