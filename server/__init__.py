"""The app factory: composes the faces (intake, API, web pages) into one Flask app."""
