"""The transport-neutral core: what every messenger adapter hands in and gets back."""
