"""The WSGI entry point gunicorn loads: one app per worker process."""
from ingest.app import create_app

app = create_app()
