"""One router per area of the API: health, requests, approvals, grants, audit and tokens."""
