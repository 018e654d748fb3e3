"""No request pays a thread hop for a dependency (issue 20): FastAPI runs a plain `def` dependency, or a class used as
one, in its thread pool, a hand-off to a worker thread and back on every request that takes it (seen in billing's
profile at 50 webhooks/s). Dependencies that only read `request.app.state` are `async def` instead.

Structural: walks every route of the gateway and of every service, built but not started."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts


def runs_on_the_loop(call: Callable[..., Any]) -> bool:
    """Whether FastAPI awaits `call` on the event loop rather than running it in its thread pool."""
    target = call if inspect.isroutine(call) or inspect.isclass(call) else type(call).__call__
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


def dependencies(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from dependencies(sub)


def test_every_dependency_of_every_app_runs_on_the_event_loop(every_app: dict[str, FastAPI]) -> None:
    threaded: dict[str, set[str]] = {}
    routes = 0
    for service, app in every_app.items():
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute):
                continue
            routes += 1
            for call in dependencies(route.dependant):
                if not runs_on_the_loop(call):
                    name = f"{service}: {call.__module__}.{getattr(call, '__qualname__', type(call).__qualname__)}"
                    threaded.setdefault(name, set()).add(route.path)
    assert routes > 200, f"only {routes} routes found: the walk no longer sees the included routers"
    assert not threaded, "dependencies run in the thread pool (make them `async def`):\n" + "\n".join(
        f"{name} ({len(paths)} routes, e.g. {min(paths)})" for name, paths in sorted(threaded.items())
    )
