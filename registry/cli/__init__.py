"""The `gridreg` command and the operations it runs (backup and restore)."""
