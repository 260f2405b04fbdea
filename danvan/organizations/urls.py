from django.urls import path

from danvan.organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.body_list, name="list"),
    path("<int:pk>/", views.body_detail, name="detail"),
    path("at/<str:code>/add/", views.body_add, name="add"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/end/", views.membership_end_view, name="member_end"),
]
