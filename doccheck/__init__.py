"""doccheck: rule-based compliance checker for controlled medical-device documents."""

__version__ = "0.1.0"
