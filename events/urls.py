from events.views import after, attendance, feeds, organiser, organising, public

app_name = "events"

urlpatterns = [
    *public.urlpatterns,
    *organiser.urlpatterns,
    *organising.urlpatterns,
    *attendance.urlpatterns,
    *after.urlpatterns,
    *feeds.urlpatterns,
]
