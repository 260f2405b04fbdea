from django.urls import path

from danvan.units import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("search/", views.unit_search_view, name="search"),
    path("villages/template.<str:fmt>", views.village_template, name="village_template"),
    path("<str:code>/", views.unit_detail, name="detail"),
    path("<str:code>/villages/add/", views.village_add, name="village_add"),
    path("<str:code>/villages/import/", views.village_import, name="village_import"),
    path("<str:code>/remote/", views.unit_remote, name="remote"),
]
