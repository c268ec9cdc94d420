"""mailbot: runs a daily multi-agency high-risk case discussion by email."""

__version__ = "0.1.0"
