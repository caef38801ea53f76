from assessments.views import answer, builder, campaigns, public

app_name = "assessments"

urlpatterns = [
    *public.urlpatterns,
    *answer.urlpatterns,
    *campaigns.urlpatterns,
    *builder.urlpatterns,
]
