from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.home, name="home"),
    path("grades/", views.GradeListView.as_view(), name="grades"),
    path("assessments/", views.AssessmentListView.as_view(), name="assessments"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/records/<str:metric>/", views.records, name="records"),
    path("assessments/<int:pk>/recompute/", views.recompute, name="recompute"),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("assessments/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("assessments/<int:pk>/designate/", views.designate, name="designate"),
    path("scores/<int:pk>/", views.score_edit, name="score"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("branch/<str:code>/", views.history, name="history"),
    path("branch/<str:code>/compute/", views.compute_one, name="compute_one"),
    path("compute/", views.compute_all, name="compute"),
    path("responsibility/", views.RankingView.as_view(), name="ranking"),
    path("designations/", views.DesignationListView.as_view(), name="designations"),
    path("designations/<int:pk>/", views.designation_detail, name="designation"),
    path("rubrics/", views.RubricListView.as_view(), name="rubrics"),
    path("rubrics/<int:pk>/", views.rubric_detail, name="rubric_detail"),
    path("rubrics/<int:pk>/revise/", views.rubric_revise, name="rubric_revise"),
]
