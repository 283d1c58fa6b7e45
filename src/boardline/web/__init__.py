"""The web app: FastAPI, shared templates, static files, and the plumbing every domain uses."""
