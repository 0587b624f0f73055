"""The words every part of Confidant shares: the incoming message, the answer, the keyed pseudonym, normalised
text. These modules import nothing else of ours, so any package may use them without a cycle."""
