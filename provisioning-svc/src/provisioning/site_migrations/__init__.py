"""P-8: hosting migration requests. The old server's access is stored encrypted; "we migrate everything" is a staff
task with a business-day deadline (the P-3 task queue), "I migrate it myself" is instructions only."""
