"""Meeting rooms: unguessable Jitsi rooms, host and client links, tokens and the safety checklist."""

from __future__ import annotations
