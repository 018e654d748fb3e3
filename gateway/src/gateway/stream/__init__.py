"""Live state for the panel (issue 13 item 4): `GET /api/stream`, server-sent events per signed-in person, fed by
the bus's client-facing events and filtered to that person's own objects.

Each gateway replica consumes every client-facing event from a queue of its own (exclusive, auto-delete, server-
named, bound to `abono.events`), so whichever replica holds a client's stream sees the client's events; each event
goes to the streams open on that replica for its client (`hub.py`). Live only: an event that arrives while no stream
is open is not kept (the page loads the state when it connects, then follows the stream).
"""
