from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicesConfig(AppConfig):
    name = "danvan.voices"
    verbose_name = _("People's voices")

    def ready(self) -> None:
        from danvan.lib.worker import register_reaper
        from danvan.voices.importing.jobs import voice_import_jobs_reap

        # Background imports whose worker died are retried or failed by every worker's reaper.
        register_reaper(voice_import_jobs_reap)
