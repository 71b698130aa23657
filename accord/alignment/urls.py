from django.urls import path

from accord.alignment import views

app_name = "alignment"

urlpatterns = [
    path("", views.index, name="index"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:period_id>/edit/", views.period_edit, name="period_edit"),
    path("periods/<int:period_id>/delete/", views.period_delete, name="period_delete"),
    path("periods/<int:period_id>/current/", views.period_current, name="period_current"),
    path("periods/<int:period_id>/close/", views.period_close, name="period_close"),
    path("periods/<int:period_id>/carry-over/", views.period_carry_over, name="period_carry"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("milestones/", views.milestones_page, name="milestones"),
    path("milestones/<int:milestone_id>/edit/", views.milestone_edit, name="milestone_edit"),
    path("milestones/<int:milestone_id>/move/", views.milestone_move, name="milestone_move"),
    path("milestones/<int:milestone_id>/delete/", views.milestone_delete, name="milestone_delete"),
    path("objectives/new/", views.objective_new, name="objective_new"),
    path("objectives/<int:objective_id>/", views.objective_detail, name="objective"),
    path("objectives/<int:objective_id>/children/", views.tree_children, name="tree_children"),
    path("objectives/<int:objective_id>/edit/", views.objective_edit, name="objective_edit"),
    path("objectives/<int:objective_id>/delete/", views.objective_delete, name="objective_delete"),
    path("objectives/<int:objective_id>/drop/", views.objective_drop, name="objective_drop"),
    path(
        "objectives/<int:objective_id>/parents/",
        views.objective_parent_add,
        name="objective_parent_add",
    ),
    path(
        "objectives/<int:objective_id>/parents/<int:parent_id>/remove/",
        views.objective_parent_remove,
        name="objective_parent_remove",
    ),
    path(
        "objectives/<int:objective_id>/confidence/",
        views.objective_confidence,
        name="objective_confidence",
    ),
    path("objectives/<int:objective_id>/key-results/new/", views.kr_new, name="kr_new"),
    path("key-results/<int:kr_id>/edit/", views.kr_edit, name="kr_edit"),
    path("key-results/<int:kr_id>/value/", views.kr_value, name="kr_value"),
    path(
        "key-results/<int:kr_id>/values/<int:value_id>/void/",
        views.kr_value_void,
        name="kr_value_void",
    ),
    path("key-results/<int:kr_id>/delete/", views.kr_delete, name="kr_delete"),
    path("key-results/<int:kr_id>/", views.key_result_detail, name="key_result"),
    path("initiatives/", views.initiatives, name="initiatives"),
    path("initiatives/board/", views.initiatives_board, name="initiatives_board"),
    path("initiatives/timeline/", views.initiatives_timeline, name="initiatives_timeline"),
    path("initiatives/new/", views.initiative_new, name="initiative_new"),
    path("initiatives/<int:initiative_id>/", views.initiative_detail, name="initiative"),
    path("initiatives/<int:initiative_id>/edit/", views.initiative_edit, name="initiative_edit"),
    path(
        "initiatives/<int:initiative_id>/delete/",
        views.initiative_delete,
        name="initiative_delete",
    ),
    path(
        "initiatives/<int:initiative_id>/status/",
        views.initiative_status,
        name="initiative_status",
    ),
    path("initiatives/<int:initiative_id>/link/", views.initiative_link, name="initiative_link"),
    path(
        "initiatives/<int:initiative_id>/unlink/",
        views.initiative_unlink,
        name="initiative_unlink",
    ),
    path("teams/<slug:team_slug>/", views.team, name="team"),
    path("teams/<slug:team_slug>/stack/move/", views.stack_move, name="stack_move"),
    path("teams/<slug:team_slug>/next-up/move/", views.next_up_move, name="next_up_move"),
    path("teams/<slug:team_slug>/wip/", views.team_wip, name="team_wip"),
    path("settings/", views.settings, name="settings"),
]
