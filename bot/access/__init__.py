"""Who may talk to Confidant, how often, and how much at once."""
