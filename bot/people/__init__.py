"""The operator's commands about people: `confidant invite` and `confidant users list|remove`."""
