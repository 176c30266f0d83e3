"""Open data: the dataset catalog built from the ledger, its files and versions, DCAT, and CKAN push.

Where each thing is decided:
- datasets/*.json, themes.json, licenses.json, fields.json: the catalog as data (one definition
  per dataset; every column a field of a JSON Schema); the names of codes come from the one
  glossary, schemas/glossary.json;
- definitions.py: loading and checking those definitions;
- sources.py, rows.py: a dataset's rows at a Moment, on projections/public.py's clauses
  (whole-table streams, and filtered/sorted/keyset pages for datastore_search);
- versions.py: log positions, the rules day of a pinned version, the change history;
- exporters.py, files.py: CSV (BOM), TSV, JSON, XLSX writers; built files with SHA-256;
- catalog.py: `OpenData`, the facade the web layer and CLI use (`platform.opendata`);
- ckan_dicts.py, package_search.py: CKAN's dict shapes and its query subset;
- dictionary.py, dcat.py: JSON Schema / Frictionless data dictionaries, DCAT-AP RDF;
- privacy.py: the privacy scan over published files;
- push.py, pushed.py: publishing to a CKAN portal, and packages other portals pushed here.

The HTTP side is web/opendata/.
"""
