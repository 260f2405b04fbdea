"""The public showcase of honored models, at ``/mo-hinh/``, open without an account."""

from django.urls import URLPattern, URLResolver

app_name = "skillful_public"
urlpatterns: list[URLPattern | URLResolver] = []
