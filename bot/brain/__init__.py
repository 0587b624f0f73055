"""The transport-neutral brain: normalise text, find what it is about, build an Answer."""
