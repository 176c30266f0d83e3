"""Full-text search of disclosures and entity profiles, with Chinese analysis.

interface.py (documents, results, errors, what an index does), engine.py (open_index), query.py (what a typed query means), analysis.py
(tokens, segmentation, pinyin initials), documents.py (what is indexed), request.py,
highlight.py, and one module per engine: tantivy_backend.py (default), whoosh_backend.py.
"""
