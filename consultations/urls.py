from consultations.views import answers, compliance, feeds, history, public, staff

app_name = "consultations"

urlpatterns = [
    *public.urlpatterns,
    *staff.urlpatterns,
    *answers.urlpatterns,
    *feeds.urlpatterns,
    *compliance.urlpatterns,
    *history.urlpatterns,
]
