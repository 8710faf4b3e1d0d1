"""The HTTP service: publishers submit articles, listeners play them.

``app`` builds the FastAPI application from ``routes_*``; ``renderer`` renders
queued articles in a worker process; ``store`` is the catalog; ``player`` the
listening page. The podcast feed it serves is made by :mod:`narrator.publish`.
"""
