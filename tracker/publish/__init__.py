"""Publishing the database with Datasette: metadata, templates, canned queries, plugins."""
