from wagtail import hooks

from .audit import CONTENT_PUBLISHED, ROLES_CHANGED, audit_record


@hooks.register("after_publish_page")
def audit_page_published(request, page):
    audit_record(action=CONTENT_PUBLISHED, summary=f'Published page "{page.title}"', target=page, request=request)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def audit_policy_saved(request, instance):
    if instance._meta.app_label in {"modules", "quizzes"}:
        audit_record(action=CONTENT_PUBLISHED, summary=f"Saved {instance._meta.verbose_name} \"{instance}\""[:500],
                     target=instance, request=request)


@hooks.register("after_create_user")
@hooks.register("after_edit_user")
def audit_user_roles(request, user):
    roles = sorted(user.groups.values_list("name", flat=True))
    audit_record(action=ROLES_CHANGED, summary=f"Roles of {user.get_username()} set to: {', '.join(roles) or 'none'}",
                 target=user, data={"roles": roles, "is_superuser": user.is_superuser}, request=request)
