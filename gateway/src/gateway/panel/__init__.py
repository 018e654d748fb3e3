"""Serving the client panel (issue 13 item 1): the built single-page app from `GATEWAY_PANEL_DIR` at `/`."""
