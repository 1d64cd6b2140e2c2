"""The web pages: server-rendered (FastAPI + Jinja2) over the same use cases as the CLI and the API,
with OpenID Connect sign-in; mounted beside the API by the composition root (bootstrap/)."""
