"""The tools beside the registry: the benchmark (`gridreg bench`) and the load tester
(`gridreg load`). Installed with the bench extra; the registry never imports them."""
