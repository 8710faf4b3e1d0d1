"""What listeners subscribe to and browse: the podcast feed and the index page,
made from finished narrations by batch and by the service."""
