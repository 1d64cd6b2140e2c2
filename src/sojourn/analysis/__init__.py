"""Analysis over policies: checks, risks, escalation capabilities and the access graph, decided by the engine."""
