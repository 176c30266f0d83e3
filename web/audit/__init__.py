"""The log and its auditors: signed heads and proofs (public), the raw log and histories (auditors)."""
