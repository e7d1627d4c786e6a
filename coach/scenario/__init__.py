"""Scenario files: the pydantic model, the strict YAML loader and the linter."""
