from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "danvan.insight"
    verbose_name = _("Insight: issues and topics")

    def ready(self) -> None:
        from danvan.insight.services_training import topic_label_keep
        from danvan.insight.tasks import analysis_on_commit
        from danvan.voices.hooks import on_topic_corrected, on_voices_received

        # A voice received is analysed (topic, issue) once committed; a topic an officer corrects
        # is kept for the classifier to learn from.
        on_voices_received(analysis_on_commit)
        on_topic_corrected(topic_label_keep)
