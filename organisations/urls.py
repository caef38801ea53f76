from organisations import printing
from organisations.views import catalogue, networks, registration

app_name = "organisations"

urlpatterns = [
    *catalogue.urlpatterns,
    *printing.urlpatterns,
    *registration.urlpatterns,
    *networks.urlpatterns,
]
