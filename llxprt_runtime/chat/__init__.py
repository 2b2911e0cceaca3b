"""ChatSession: one conversation bound to one runtime (UI-free). See session.py."""
