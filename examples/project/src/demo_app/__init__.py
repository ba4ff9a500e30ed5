"""A demo project for docs/projects.md."""
