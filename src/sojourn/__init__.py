"""Sojourn: least-privilege access control plane for multi-account AWS."""

__version__ = "0.1.0"
