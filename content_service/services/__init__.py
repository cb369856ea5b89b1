"""Use cases: load records, call the domain libraries, persist, audit. Raise ServiceError subclasses."""
