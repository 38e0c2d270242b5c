from django.apps import AppConfig


class PeerConfig(AppConfig):
    """Only installed by benchmarks/settings.py: never part of the portal."""

    name = "benchmarks.peer"
    label = "peer"
    verbose_name = "Benchmark peer (Wagtail form page)"
