"""Messenger adapters: each translates its wire format into `Incoming` and an `Answer` back into messages."""
