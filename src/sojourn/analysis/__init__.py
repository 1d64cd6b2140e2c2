"""Analysis over policies: checks, risks, escalation capabilities and the access graph (engine-decided)."""
