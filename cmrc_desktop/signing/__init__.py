"""Keys, certificates, canonical payloads, signatures — no Qt (issue #3)."""
