from organisations.views import catalogue, networks, registration

app_name = "organisations"

urlpatterns = [*catalogue.urlpatterns, *registration.urlpatterns, *networks.urlpatterns]
