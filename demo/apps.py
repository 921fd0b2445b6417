from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (seed_demo, demo_code) and the national-scale data set (seed_scale).

    Above every other app: it builds its data through their services and never the other way.
    """

    name = "demo"
    verbose_name = "Demo and scale data"
