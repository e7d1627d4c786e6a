"""coach: a terminal coaching tool for bank tellers."""

__version__ = "0.1.0"
