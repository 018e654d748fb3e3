"""Provisioning drivers (P-4) behind one Protocol: cPanel/WHM, generic signed HTTP, manual (staff tasks)."""
