from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "accord.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from accord.api import services
        from accord.org.services import ON_DEACTIVATION

        ON_DEACTIVATION.append(services.revoke_tokens_of)
