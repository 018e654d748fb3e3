"""The reverse proxy: `/api/<service>/<path>` and `/webhooks/<provider>` to the services, streamed both ways."""
