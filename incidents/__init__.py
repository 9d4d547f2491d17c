"""The domain: alerts, incidents, severities, services and escalation policies.

Pure Python. Nothing here imports Flask, Celery, SQLAlchemy, marshmallow or requests,
and time always comes in as an argument.
"""
