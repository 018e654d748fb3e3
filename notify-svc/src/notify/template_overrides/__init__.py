"""Notification templates an admin rewrites in the staff console, per kind (N-2) and language (#14 item 5): stored
here, validated and previewed against sample figures, sandboxed, audited; a kind and language without one uses the
packaged files (`notify/templates/`). The composer reads them per event, so a change applies to the next message."""
