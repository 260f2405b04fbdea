from django.urls import path

from danvan.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.calculator, name="calculator"),
]
