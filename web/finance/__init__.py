"""信易贷 over HTTP: consents, lenders' reports, loan products and applications."""
