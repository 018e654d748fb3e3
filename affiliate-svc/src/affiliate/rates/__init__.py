"""F-2 commission percentages that staff set per product kind (the settings are the defaults), audited."""
