"""usage package."""
