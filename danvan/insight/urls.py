from django.urls import URLPattern, URLResolver, path

from danvan.insight import views

app_name = "insight"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.issue_list, name="list"),
    path("<int:pk>/", views.issue_detail, name="issue"),
    path("<int:pk>/confirm/", views.issue_confirm_view, name="confirm"),
    path("<int:pk>/merge/", views.issue_merge_view, name="merge"),
    path("<int:pk>/split/", views.issue_split_view, name="split"),
    path("<int:pk>/move/", views.voice_move_view, name="move"),
    path("<int:pk>/answer/", views.issue_answer_view, name="answer"),
]
