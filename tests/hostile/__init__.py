"""The project's own hostile corpus (docs/security.md): text.txt and nesting/."""
