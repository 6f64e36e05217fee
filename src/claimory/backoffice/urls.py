"""Staff back office URLs under /staff/: auth, claims, messages, board, live updates, settings."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from claimory.backoffice.views import (
    auth,
    board,
    claim_actions,
    claims,
    drafts,
    inbox,
    live,
    photos,
    simulator,
    texting,
    thread,
    unmatched,
)
from claimory.backoffice.views import settings as settings_views

app_name = "backoffice"

auth_urls = [
    path("login", auth.StaffLoginView.as_view(), name="login"),
    # Old bookmarks and scripts ask for /staff/login/ with a slash.
    path("login/", RedirectView.as_view(pattern_name="backoffice:login", query_string=True)),
    path("logout", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset", auth.StaffPasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("password-reset/done", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("password-reset/<uidb64>/<token>", auth_views.PasswordResetConfirmView.as_view(
        success_url=reverse_lazy("backoffice:password_reset_complete")),
        name="password_reset_confirm"),
]

urlpatterns = [
    *auth_urls,
    path("", claims.claim_list_view, name="claims"),
    path("claims/new", claims.claim_new, name="claim_new"),
    path("claims/<int:claim_id>", claims.claim_detail, name="claim"),
    path("claims/<int:claim_id>/edit", claim_actions.claim_edit_view, name="claim_edit"),
    path("claims/<int:claim_id>/stage", claim_actions.claim_stage, name="claim_stage"),
    path("claims/<int:claim_id>/notes", claim_actions.claim_note, name="claim_note"),
    path("claims/<int:claim_id>/portal/rotate", claim_actions.portal_rotate,
         name="portal_rotate"),
    path("claims/<int:claim_id>/portal/revoke", claim_actions.portal_revoke,
         name="portal_revoke"),
    path("claims/<int:claim_id>/messages", thread.thread_reply, name="thread_reply"),
    path("claims/<int:claim_id>/messages/read", thread.thread_read, name="thread_read"),
    path("claims/<int:claim_id>/messages/done", thread.thread_done, name="thread_done"),
    path("claims/<int:claim_id>/messages/assign", thread.thread_assign, name="thread_assign"),
    path("claims/<int:claim_id>/drafts", drafts.draft_new, name="draft_new"),
    path("claims/<int:claim_id>/drafts/<int:draft_id>/send", drafts.draft_send_view,
         name="draft_send"),
    path("claims/<int:claim_id>/drafts/<int:draft_id>/discard", drafts.draft_discard_view,
         name="draft_discard"),
    path("claims/<int:claim_id>/live", live.claim_live, name="claim_live"),
    path("simulator/", simulator.simulator_page, name="simulator"),
    path("simulator/reply", simulator.simulator_reply, name="simulator_reply"),
    path("inbox", inbox.inbox, name="inbox"),
    path("inbox/badge", inbox.inbox_badge, name="inbox_badge"),
    path("inbox/unmatched/<int:unmatched_id>", unmatched.unmatched_detail, name="unmatched"),
    path("inbox/unmatched/<int:unmatched_id>/attach", unmatched.unmatched_attach_view,
         name="unmatched_attach"),
    path("inbox/unmatched/<int:unmatched_id>/dismiss", unmatched.unmatched_dismiss_view,
         name="unmatched_dismiss"),
    path("inbox/unmatched/<int:unmatched_id>/media/<int:index>", unmatched.unmatched_media,
         name="unmatched_media"),
    path("inbox/unmatched/<int:unmatched_id>/media/<int:index>/thumb", unmatched.unmatched_media,
         {"thumb": True}, name="unmatched_media_thumb"),
    path("photos/<int:photo_id>", photos.photo_file, name="photo_file"),
    path("photos/<int:photo_id>/thumb", photos.photo_thumb, name="photo_thumb"),
    path("events", live.staff_events, name="events"),
    path("board", board.board, name="board"),
    path("board/cards/<int:claim_id>", live.board_card, name="board_card"),
    path("settings/", settings_views.settings_index, name="settings"),
    path("settings/stages", settings_views.stages, name="settings_stages"),
    path("settings/stages/<slug:location_slug>", settings_views.stage_new, name="stage_new"),
    path("settings/stages/<slug:location_slug>/<slug:stage_slug>", settings_views.stage_edit,
         name="stage_edit"),
    path("settings/stages/<slug:location_slug>/<slug:stage_slug>/move",
         settings_views.stage_move, name="stage_move"),
    path("settings/location", settings_views.location_settings, name="settings_location"),
    path("settings/texting", texting.texting_settings, name="settings_texting"),
    path("settings/texting/<slug:location_slug>/orders", texting.number_order_new,
         name="number_order_new"),
    path("settings/texting/orders/<int:order_id>/check", texting.number_order_check,
         name="number_order_check"),
]
