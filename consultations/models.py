"""Consultations: the shared eligibility check and one sub-app per instrument."""
