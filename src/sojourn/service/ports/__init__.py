"""The ports of the service layer: Protocols that adapters implement and use cases depend on, in core types.

One module per port. Adapters (aws/, store/, notify/, feeds/) implement them; each has an in-memory
twin, and one contract suite runs against the twin and the real adapter.
"""
