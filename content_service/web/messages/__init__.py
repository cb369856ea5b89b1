"""Per-feature message catalogues (``MESSAGES`` dicts), merged by ``web.i18n``."""
