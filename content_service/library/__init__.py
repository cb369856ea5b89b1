"""The school library: pure circulation rules (``rules``); wiring lives in services/library.py."""
