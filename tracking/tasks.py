from django_tasks import task

from .services import reminder_send


@task()
def reminder_send_task(*, person_id, module_id, reason, about_date):
    """One reminder e-mail; sending twice is prevented by the database, so a retry is safe."""
    return reminder_send(
        person_id=person_id, module_id=module_id, reason=reason, about_date=about_date
    )
