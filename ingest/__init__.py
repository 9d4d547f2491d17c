"""Flask: the app factory, one module per alert source, the JSON API and health endpoints."""
