"""Activity adapter: CloudTrail log files (local or S3) aggregated with DuckDB into event groups."""
