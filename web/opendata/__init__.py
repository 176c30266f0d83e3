"""Open data for developers: the CKAN Action API, datastore, downloads, DCAT and the /datasets pages."""
