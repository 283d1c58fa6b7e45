"""NPI: products and revisions, data package import, cross-check, DFM review, quotes, gates."""
