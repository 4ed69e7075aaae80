"""Legemiddel: governance of costly drugs and follow-up of the patient's medication list."""

__version__ = "0.1.0"
