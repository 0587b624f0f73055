"""Durable state: users by keyed hash, their settings, the inbox and the dedupe keys."""
