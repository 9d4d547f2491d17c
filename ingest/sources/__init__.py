"""One module per alert source: a marshmallow schema and `parse(body) -> list[Alert]`."""
