"""Use cases: load records, call the domain libraries, persist, audit.

Services raise ServiceError subclasses; routes never build HTTP errors.
"""
