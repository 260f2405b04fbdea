"""The public showcase of honored models, at ``/mo-hinh/``, open without an account."""

from django.urls import URLPattern, URLResolver, path

from danvan.skillful import views_public

app_name = "skillful_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_public.showcase, name="showcase"),
    path("<str:code>/", views_public.province_showcase, name="province"),
]
