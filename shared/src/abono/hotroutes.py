"""Hot routes: a service's busiest GETs answered without FastAPI's routing and dependency solving (issue 20).

FastAPI's router (a scan of the included routers, each candidate matched with bookkeeping in the scope), its
request/response wrapping and its dependency solving cost billing's "my invoices" about as much CPU as the endpoint
itself (py-spy, in-process). A hot route is an exact path whose GET is answered by a plain function of the request,
called from this middleware. It sits inside `abono.edge.ServiceEdge`, so the request id, the security headers, the
500 guard, the latency metric (under the route's path) and the body limit apply as to any request, and in front of
FastAPI's exception middleware and router. The route stays declared in FastAPI too: its OpenAPI, its HEAD, any other
method and any other path go there unchanged. The function must do what the route's dependencies do (the service's
tests call it both ways); a `DomainError` or `HTTPException` it raises is answered by the app's own handler, as on
the ordinary path.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from abono.errors import DomainError

HotEndpoint = Callable[[Request], Awaitable[Response]]


class _RouteLabel:
    """What `abono.metrics.route_of` reads from `scope["route"]`: the route's path template."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path


class HotRoutes:
    """Innermost of a service's middlewares (`ServiceSpec.hot_routes`)."""

    def __init__(self, app: ASGIApp, *, routes: Mapping[str, HotEndpoint], service: FastAPI) -> None:
        self.app = app
        self.service = service
        self.routes = {path: (endpoint, _RouteLabel(path)) for path, endpoint in routes.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hot = self.routes.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "GET" else None
        if hot is None:
            await self.app(scope, receive, send)
            return
        endpoint, scope["route"] = hot
        request = Request(scope, receive)
        try:
            response = await endpoint(request)
        except (DomainError, HTTPException) as exc:
            response = await self._handled(request, exc)
        await response(scope, receive, send)

    async def _handled(self, request: Request, exc: Exception) -> Response:
        """The app's own answer to `exc` (its handler for the nearest class), as its exception middleware gives."""
        handlers = self.service.exception_handlers
        for cls in type(exc).__mro__:
            handler = handlers.get(cls)
            if handler is not None:
                answer = handler(request, exc)
                response: Response = await answer if inspect.isawaitable(answer) else answer
                return response
        raise exc
