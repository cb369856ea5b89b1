# The two commands of the README.
.PHONY: run test install bench

run:  ## set up, load demo content when the database is empty, start Meilisearch and the service
	scripts/run

test:  ## set up and run the whole test suite (SQLite + PostgreSQL + real Meilisearch)
	scripts/test

install:
	scripts/install

lab:  ## JupyterLab on notebooks/ (authoring, calibration, publishing, the nbgrader course)
	uv run jupyter lab --notebook-dir=notebooks
