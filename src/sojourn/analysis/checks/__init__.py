"""One module per family of policy checks; each check is listed in analysis/registry.py."""
