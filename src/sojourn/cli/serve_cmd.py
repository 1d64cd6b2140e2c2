"""`sojourn serve`: the API and the worker together (API tokens: cli/token_cmd.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sojourn.bootstrap import runtime_from_environment
from sojourn.worker.runner import run_loop

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def serve(
    config: Annotated[Path, typer.Option("--config", "-c", help="YAML file or directory")] = Path("access"),
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8080,
    tick: Annotated[float, typer.Option(help="seconds between worker ticks")] = 0.5,
) -> None:
    """Run the HTTP API and the worker. OpenID Connect from SOJOURN_OIDC_ISSUER, SOJOURN_OIDC_AUDIENCE and
    SOJOURN_OIDC_ROLE_MAP (JSON: IdP group -> role); API tokens from `sojourn token create`."""
    import uvicorn

    rt = runtime_from_environment()
    app = rt.api_app(config)
    worker = rt.worker(config)
    threading.Thread(
        target=run_loop, args=(worker,), kwargs={"once": False, "interval": tick}, daemon=True
    ).start()
    if host not in ("127.0.0.1", "localhost", "::1"):
        errors.print(f"[yellow]warning:[/yellow] listening on {host}; put TLS in front of Sojourn")
    uvicorn.run(app, host=host, port=port, log_level="warning")
