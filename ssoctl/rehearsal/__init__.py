"""Local stand-ins for rehearsing a set-up without touching a real service (127.0.0.1 only)."""
