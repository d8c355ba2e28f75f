"""Serve an aiohttp application on one address: the sandbox, the webhook receiver and the desk.

With ``port = 0`` the system picks a free port; :func:`serve` reports the one bound, so tests and
several instances on one machine never ask for a fixed port.
"""

from __future__ import annotations

from aiohttp import web


async def serve(app: web.Application, host: str, port: int, *, shutdown_timeout: float) -> tuple[web.AppRunner, int]:
    """Start ``app`` on ``host:port``; the runner (to clean up) and the port actually bound."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    # aiohttp has no public accessor for the bound port of a TCPSite.
    server = site._server
    if server is not None and server.sockets:  # type: ignore[union-attr]
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port


def local_url(host: str, port: int, path: str = "") -> str:
    """``http://host:port/path``, with an IPv6 host in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{path}"
