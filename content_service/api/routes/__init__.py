"""One route module per URL collection."""
