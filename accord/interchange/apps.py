from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "accord.interchange"
    label = "interchange"
    verbose_name = "Imports and exports"
