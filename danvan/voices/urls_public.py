from django.urls import URLPattern, URLResolver, path

from danvan.voices import views_public

app_name = "voices_public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("gui/", views_public.submit, name="submit"),
    path("gui/da-gui/", views_public.submitted, name="submitted"),
    path("tra-cuu/", views_public.lookup, name="lookup"),
    path("tra-cuu/danh-gia/", views_public.rate, name="rate"),
    path("tra-cuu/khieu-nai-lan-hai/", views_public.second_complaint, name="second_complaint"),
    path("don-vi/", views_public.unit_search, name="unit_search"),
]
