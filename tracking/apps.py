from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Tracking and reports"

    def ready(self):
        from modules.handoffs import clause_revised, learner_records_written

        from .handoffs import clause_revised_received, learner_records_written_received

        clause_revised.connect(clause_revised_received, dispatch_uid="tracking.clause_revised")
        learner_records_written.connect(
            learner_records_written_received, dispatch_uid="tracking.learner_records_written"
        )
