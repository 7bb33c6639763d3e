"""One module per analyzer; each registers itself with ``@register`` (see ``seawall.inventory.analyzer``)."""
