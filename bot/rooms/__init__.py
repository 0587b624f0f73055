"""Meeting rooms: unguessable Jitsi links, host and client links, tokens and the before-you-admit checklist."""

from __future__ import annotations
