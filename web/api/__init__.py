"""REST API blueprints, one per resource (documented in web/openapi.py)."""
