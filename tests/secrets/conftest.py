"""The corpus holds scanner inputs, some named like tests (``test_settings.py``): never collect them."""

collect_ignore_glob = ["corpus/*"]
