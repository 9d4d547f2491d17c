"""The JSON API: one blueprint per area, on the same commands as the web pages."""
