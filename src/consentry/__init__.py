"""Consentry: who may be sent what, on which channel, and the proof of it."""

__version__ = "0.1.0"
