"""API request and response schemas (``…Create``, ``…Update``, ``…Public``, ``…sPublic``)."""
