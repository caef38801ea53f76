from monitoring.views import (
    commitments,
    documents,
    exports,
    inbox,
    index,
    reports,
    requests,
    signals,
)

app_name = "monitoring"

# Each module lists its own pages; see monitoring/README.md for the addresses.
urlpatterns = [
    *index.urlpatterns,
    *requests.urlpatterns,
    *signals.urlpatterns,
    *inbox.urlpatterns,
    *commitments.urlpatterns,
    *reports.urlpatterns,
    *documents.urlpatterns,
    *exports.urlpatterns,
]
