"""The catalog (C-1..C-4): products, their cycles, upgrade paths and prices."""
