"""The gateway's own `/metrics` is for the scraper, not for the outside (issue 11), like the services' (which the
proxy never forwards): served only to a peer in GATEWAY_METRICS_ALLOWED_NETWORKS that came straight to the socket.
A request relayed by a reverse proxy carries `X-Forwarded-For` and is refused even from an allowed address, since
behind a load balancer on a private network every outside request comes from an allowed peer."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from abono.errors import problem
from gateway.deps import Networks, is_trusted

METRICS_PATH = "/metrics"


class MetricsGuard:
    def __init__(self, app: ASGIApp, allowed: Networks) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == METRICS_PATH and not self._allowed(scope):
            await problem(404, "Not Found", "No such route.", instance=scope["path"])(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        client = scope.get("client")
        if client is None or not is_trusted(client[0], self.allowed):
            return False
        return not any(name == b"x-forwarded-for" for name, _ in scope.get("headers", ()))
