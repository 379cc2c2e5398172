"""Models of this instrument (see consultations/eligibility.py for the shared check)."""
