from django.urls import path

from accord.decisions import exports, views

app_name = "decisions"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("waiting/", views.waiting, name="waiting"),
    path("latency/", views.latency, name="latency"),
    path("export.csv", exports.csv_export, name="export_csv"),
    path("export-markdown.zip", exports.markdown_export, name="export_markdown"),
    path("<int:decision_id>/", views.detail, name="decision"),
    path("<int:decision_id>/edit/", views.edit, name="edit"),
    path("<int:decision_id>/options/", views.add_option, name="add_option"),
    path("<int:decision_id>/links/", views.add_link, name="add_link"),
    path("<int:decision_id>/links/remove/", views.remove_link, name="remove_link"),
    path("<int:decision_id>/propose/", views.propose, name="propose"),
    path("<int:decision_id>/decide/", views.decide, name="decide"),
    path("<int:decision_id>/supersede/", views.supersede, name="supersede"),
    path("<int:decision_id>/reverse/", views.reverse_decision, name="reverse"),
    path("<int:decision_id>.md", exports.markdown_one, name="markdown"),
    path("actions/", views.actions, name="actions"),
    path("actions/export.csv", exports.actions_csv, name="actions_csv"),
    path("actions/new/", views.action_new, name="action_new"),
    path("actions/<int:item_id>/", views.action_detail, name="action"),
    path("actions/<int:item_id>/complete/", views.action_complete, name="action_complete"),
    path("actions/<int:item_id>/drop/", views.action_drop, name="action_drop"),
    path("actions/<int:item_id>/reopen/", views.action_reopen, name="action_reopen"),
    path("issues/", views.issues, name="issues"),
    path("issues/new/", views.issue_new, name="issue_new"),
    path("issues/<int:issue_id>/", views.issue_detail, name="issue"),
    path("issues/<int:issue_id>/edit/", views.issue_edit, name="issue_edit"),
    path("issues/<int:issue_id>/escalate/", views.issue_escalate, name="issue_escalate"),
    path("issues/<int:issue_id>/solve/", views.issue_solve, name="issue_solve"),
    path(
        "issues/<int:issue_id>/solve/open-items/",
        views.issue_solve_notice,
        name="issue_solve_notice",
    ),
    path("issues/<int:issue_id>/drop/", views.issue_drop, name="issue_drop"),
]
