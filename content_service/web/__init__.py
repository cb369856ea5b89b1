"""Server-rendered pages (Jinja2), Vietnamese first, English on request."""
