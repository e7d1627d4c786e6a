"""Small widgets of the teller's TUI; each renders untrusted text only as rich Text."""
