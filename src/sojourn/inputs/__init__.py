"""Bounded readers of untrusted text: every size, depth and value limit in one place (pure, no I/O)."""
