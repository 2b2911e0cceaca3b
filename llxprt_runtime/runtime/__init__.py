"""Runtime contexts, the runtime registry and their lifecycle."""
