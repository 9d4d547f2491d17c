"""The ceiling for bench.intake: Flask that parses the JSON body and answers 202, nothing more.

Served by gunicorn's sync workers, the cheapest Flask serving there is, so the gap is what our intake
costs. `/durable/...` is the floor of any intake that stores a request before it answers: the same,
plus one INSERT of the body, committed (psycopg, autocommit, prepared), into the bench's database.
"""

import os
from datetime import UTC, datetime

import psycopg
from flask import Flask, jsonify, request

app = Flask(__name__)
_connection = None  # a sync worker serves one request at a time: one connection per process


@app.post("/webhooks/alertmanager")
def alertmanager_webhook():
    return jsonify(status="success", alerts=len(request.get_json()["alerts"])), 202


@app.post("/durable/webhooks/alertmanager")
def durable_webhook():
    global _connection
    if _connection is None:
        url = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        _connection = psycopg.connect(url, autocommit=True)
    alerts = len(request.get_json()["alerts"])
    try:
        _connection.execute(
            "INSERT INTO raw_requests (source, received_at, body) VALUES ('bench-floor', %s, %s)",
            (datetime.now(UTC), request.get_data()),
            prepare=True,
        )
    except psycopg.Error:
        _connection.close()
        _connection = None  # the next request connects again
        raise
    return jsonify(status="success", alerts=alerts), 202


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
