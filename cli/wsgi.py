"""The WSGI entry point gunicorn loads: the web app, wired to hand decisions to the workers."""

from server.app import create_app
from workers.app import celery
from workers.dispatch import Dispatcher

app = create_app(dispatch=Dispatcher(celery))
