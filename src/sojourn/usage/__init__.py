"""CloudTrail activity to the IAM actions it needed: event mapping, callers, usage lines (pure, no I/O)."""
