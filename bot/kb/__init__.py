"""The curated knowledge base: schema, loader and search index."""
