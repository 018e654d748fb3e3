"""The platform's one API description: the gateway's schema merged with every service's, as clients see them."""
