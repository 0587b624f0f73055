"""Signal through signal-cli-rest-api (https://github.com/bbernhard/signal-cli-rest-api)."""
