"""Celery: the app, its queues and routes, and the tasks (escalation and paging build on it)."""
