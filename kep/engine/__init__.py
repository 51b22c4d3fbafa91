"""Waiting: sources read the API (poll or watch) into one inbox; the engine owns the verdicts."""
