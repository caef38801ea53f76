from django.urls import path

import territory.urls  # noqa: F401  (registers the "code" path converter)
from directory import editing, exports, printing, reports, views

app_name = "directory"

urlpatterns = [
    path("", views.index, name="index"),
    path("institutions/<int:pk>/", views.detail, name="detail"),
    path("institutions/<int:pk>/vcard", views.vcard, name="vcard"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("who-serves/", views.who_serves, name="who-serves"),
    # Staff keep their entry current; every save is kept in the history (editing.py).
    path("institutions/<int:pk>/edit/", editing.edit_institution, name="edit"),
    path("institutions/<int:pk>/history/", editing.history, name="history"),
    path("institutions/<int:pk>/services/new/", editing.add_service, name="service-add"),
    path("services/<int:pk>/edit/", editing.edit_service, name="service-edit"),
    path("services/<int:pk>/delete/", editing.delete_service, name="service-delete"),
    # Error reports ("сигнал за неточност", reports.py).
    path("institutions/<int:pk>/report/", reports.report, name="report"),
    path("reports/", reports.queue, name="reports"),
    path("reports/<int:pk>/", reports.handle, name="report-handle"),
    # Printable directories (printing.py) and open-data exports (exports.py).
    path("print/province/<code:code>/", printing.province, name="print-province"),
    path("print/municipality/<code:code>/", printing.municipality, name="print-municipality"),
    path("print/<int:pk>.pdf", printing.download, name="print-download"),
    path("export/", exports.index, name="export"),
    path("export/<str:scope>.<str:fmt>", exports.download, name="export-download"),
]
