from django.urls import path

from . import read_aloud, views

app_name = "life"
urlpatterns = [
    path("", views.life_home, name="home"),
    path("meetings/", views.MeetingListView.as_view(), name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("branch/<str:code>/", views.branch_page, name="branch"),
    path("record/", views.meeting_start, name="meeting_start"),
    path("branch/<str:code>/record/", views.meeting_create, name="meeting_create"),
    path("branch/<str:code>/plan/", views.meeting_plan, name="meeting_plan"),
    path("branch/<str:code>/calendar/", views.branch_calendar, name="calendar"),
    path("heatmap/", views.heat_map, name="heatmap"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("participation/", views.participation_list, name="participation"),
    path("rulesets/", views.RulesetListView.as_view(), name="rulesets"),
    path("rulesets/<int:pk>/", views.ruleset_detail, name="ruleset_detail"),
    path("rulesets/<int:pk>/revise/", views.ruleset_revise, name="ruleset_revise"),
    path("study/", views.StudyRecordListView.as_view(), name="study"),
    path("study/new/", views.study_create, name="study_create"),
    path("courses/", views.TrainingCourseListView.as_view(), name="courses"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("worklists/", views.WorkListListView.as_view(), name="worklists"),
    path("worklists/new/", views.worklist_create, name="worklist_create"),
    path("worklists/<int:pk>/", views.worklist_detail, name="worklist_detail"),
    path("worklists/<int:pk>/read-aloud/", read_aloud.worklist_read_aloud, name="worklist_read_aloud"),
    path("study-materials/<int:pk>/read-aloud/", read_aloud.material_read_aloud, name="material_read_aloud"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/<int:pk>/<str:fmt>/", views.bulletin_file, name="bulletin_file"),
]
