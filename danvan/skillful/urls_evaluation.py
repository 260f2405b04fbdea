"""The evaluation pages, under ``/models/`` in the ``skillful`` namespace."""

from django.urls import URLPattern, URLResolver, path

from danvan.skillful import views_criteria
from danvan.skillful import views_evaluation as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("criteria/", views_criteria.criteria_set_list, name="criteria_sets"),
    path("criteria/new/", views_criteria.criteria_set_create_view, name="criteria_set_create"),
    path("criteria/<int:pk>/", views_criteria.criteria_set_edit, name="criteria_set_edit"),
    path("councils/", views_criteria.council_list, name="councils"),
    path("councils/<int:pk>/", views_criteria.council_edit, name="council_edit"),
    path("evaluations/", views.my_evaluations, name="my_evaluations"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/close/", views.evaluation_close_view, name="evaluation_close"),
    path("evaluations/model/<int:pk>/", views.model_evaluation, name="model_evaluation"),
    path("evaluations/model/<int:pk>/propose/", views.propose_view, name="model_propose"),
    path("evaluations/model/<int:pk>/open/", views.open_view, name="evaluation_open"),
    path("evaluations/model/<int:pk>/commend/", views.commend_view, name="commendation_record"),
]
