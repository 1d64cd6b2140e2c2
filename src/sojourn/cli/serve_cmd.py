"""`sojourn serve`: the API and the worker together (API tokens: cli/token_cmd.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sojourn.bootstrap import runtime_from_environment
from sojourn.cli.consoles import screen

console = screen()
errors = screen(stderr=True)


def serve(
    config: Annotated[Path, typer.Option("--config", "-c", help="YAML file or directory")] = Path("access"),
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on (0: any free port)")] = 8080,
    tick: Annotated[float, typer.Option(help="seconds between worker ticks")] = 0.5,
) -> None:
    """Run the web pages, the HTTP API and the worker (started again if its thread ends; /health answers
    503 while it is not ticking). OpenID Connect from SOJOURN_OIDC_ISSUER, SOJOURN_OIDC_AUDIENCE and
    SOJOURN_OIDC_ROLE_MAP (JSON: IdP group -> role); web sign-in also needs SOJOURN_OIDC_CLIENT_ID (and
    SOJOURN_OIDC_CLIENT_SECRET); API tokens from `sojourn token create`."""
    import uvicorn

    rt = runtime_from_environment()
    rt.check_config(config)
    supervisor = rt.supervised_worker(config, interval=tick)
    app = rt.serve_app(config, worker_health=supervisor.pulse.problem)
    supervisor.start()
    if host not in ("127.0.0.1", "localhost", "::1"):
        errors.print(f"[yellow]warning:[/yellow] listening on {host}; put TLS in front of Sojourn")
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    listening = server.config.bind_socket()
    bound_port = listening.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"Sojourn listens on http://{shown}:{bound_port} (pages at /, API under /v1, health at /health); "
        f"the worker ticks every {tick:g}s; Ctrl-C stops both",
        highlight=False,
    )
    console.file.flush()
    server.run(sockets=[listening])
