"""Model > Train...: dialog, background worker, live charts and the report."""
