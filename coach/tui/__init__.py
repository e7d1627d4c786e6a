"""The teller's Textual TUI. Only `coach run` (and the store's screens) import this package."""
