"""Staff members as notify knows them (the gateway's `StaffRoleChanged`), and what they are told: an escalated
ticket (S-3: a deadline's warning or breach) goes to its assignee, or to every staff member while unassigned."""
