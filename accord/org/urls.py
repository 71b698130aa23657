from django.urls import path

from accord.org import settings_views, views

app_name = "org"

urlpatterns = [
    path("settings/organization/", settings_views.organization, name="settings"),
    path("settings/time-zone/", views.time_zone_elsewhere, name="time_zone_elsewhere"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/kinds/", views.team_kinds, name="team_kinds"),
    path("teams/roles/", views.team_roles, name="team_roles"),
    path("teams/<slug:team_slug>/", views.team_detail, name="team"),
    path("teams/<slug:team_slug>/edit/", views.team_edit, name="team_edit"),
    path("teams/<slug:team_slug>/delete/", views.team_delete, name="team_delete"),
    path("teams/<slug:team_slug>/retire/", views.team_retire, name="team_retire"),
    path("teams/<slug:team_slug>/reactivate/", views.team_reactivate, name="team_reactivate"),
    path("teams/<slug:team_slug>/members/", views.membership_add, name="membership_add"),
    path("teams/<slug:team_slug>/vacancies/", views.vacancy_open, name="vacancy_open"),
    path("vacancies/<int:vacancy_id>/close/", views.vacancy_close, name="vacancy_close"),
    path("memberships/<int:membership_id>/", views.membership_edit, name="membership_edit"),
    path("memberships/<int:membership_id>/end/", views.membership_end, name="membership_end"),
    path(
        "memberships/<int:membership_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/invite/", views.people_invite, name="people_invite"),
    path("people/agents/new/", views.agent_new, name="agent_new"),
    path("people/<int:person_id>/pause/", views.agent_pause, name="agent_pause"),
    path("people/<int:person_id>/tokens/", views.agent_tokens, name="agent_tokens"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/handover/", views.person_handover, name="person_handover"),
    path("people/<int:person_id>/teams/", views.person_join_team, name="person_join_team"),
    path("people/<int:person_id>/unlock/", views.person_unlock, name="person_unlock"),
    path("people/<int:person_id>/forget/", views.person_forget, name="person_forget"),
    path(
        "people/<int:person_id>/sign-in-link/",
        views.person_sign_in_link,
        name="person_sign_in_link",
    ),
    path("people/<int:person_id>/invite/", views.person_invite, name="person_invite"),
    path("people/<int:person_id>/identities/", views.person_identities, name="person_identities"),
]
