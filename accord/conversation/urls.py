from django.urls import path

from accord.conversation import views

app_name = "conversation"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:inbox_item_id>/open/", views.inbox_open, name="inbox_open"),
    path("inbox/<int:inbox_item_id>/done/", views.inbox_done, name="inbox_done"),
    path("inbox/<int:inbox_item_id>/reopen/", views.inbox_reopen, name="inbox_reopen"),
    path("comments/new/", views.comment_new, name="comment_new"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
]
