"""Publishing narrations on the web: the podcast feed and player page
(:mod:`narrator.web.feed`), later the HTTP service.

Import the submodules you need; this package imports nothing itself, so the
batch command can write a feed without loading the service.
"""
