"""Domain registrars (D-1..D-3) behind one Protocol; ResellerClub (LogicBoxes HTTP API) implemented."""
