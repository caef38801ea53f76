from consultations.views import answers, feeds, public, staff

app_name = "consultations"

urlpatterns = [*public.urlpatterns, *staff.urlpatterns, *answers.urlpatterns, *feeds.urlpatterns]
