"""Analysis over policies: privilege-escalation paths decided by the evaluation engine."""
