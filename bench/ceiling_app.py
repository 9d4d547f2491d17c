"""The ceiling for bench.intake: Flask that parses the JSON body and answers 202, nothing more.

Served by the same gunicorn command and config as our app, so the gap is what our intake costs.
"""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/webhooks/alertmanager")
def alertmanager_webhook():
    return jsonify(status="success", alerts=len(request.get_json()["alerts"])), 202


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
