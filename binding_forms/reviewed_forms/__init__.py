"""Reviewed forms: multi-step forms a signed-in person fills in about a child and an office
reviews in a Wagtail workflow. Generic: imports Django and Wagtail only, never the binding
wizard, the city registry or ``review_workflow`` (import-linter checks it in CI)."""
