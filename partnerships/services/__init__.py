"""Writes for projects: each validates, runs in one transaction and writes the
project's timeline event in it. Split by area: projects (creation, sections,
lifecycle), partners, team, comments, documents."""
