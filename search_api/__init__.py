"""Search: the index backends behind one contract, and the HTTP API over them."""
