"""D-1: the TLD price list. Each domain product (one per TLD) has, per cycle in whole years and per currency, a
register, a renew and a transfer price. The renew price is the product's catalog price for that cycle (what the
renewal run invoices, B-16), so setting a TLD price writes both; register and transfer prices price an order's
first invoice."""
