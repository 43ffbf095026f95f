"""One module per landing source; each returns its entities and ground-truth links."""
