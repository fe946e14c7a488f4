from django.apps import AppConfig


class ModulesConfig(AppConfig):
    name = "modules"
    verbose_name = "Modules and policy library"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from wagtail.models import Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from .services import page_routes_forget

        # What a cached module page route rests on (modules.selectors.page_route_cached).
        uid = "modules.page_routes_forget"
        page_published.connect(page_routes_forget, dispatch_uid=f"{uid}.published")
        page_unpublished.connect(page_routes_forget, dispatch_uid=f"{uid}.unpublished")
        post_page_move.connect(page_routes_forget, dispatch_uid=f"{uid}.moved")
        for model in (Page, PageViewRestriction, Site):
            post_delete.connect(
                page_routes_forget, sender=model, dispatch_uid=f"{uid}.{model.__name__}.deleted"
            )
        for model in (PageViewRestriction, Site):
            post_save.connect(
                page_routes_forget, sender=model, dispatch_uid=f"{uid}.{model.__name__}.saved"
            )
