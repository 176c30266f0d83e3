"""What the platform keeps that is not a credit fact and not HTTP: firm accounts, API tokens,
browser sessions and uploaded case material. None of it is in the log: these are
credentials and files, not facts of the ledger (the log records what they were used for).
"""
