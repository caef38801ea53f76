from library.views import editing, public

app_name = "library"

urlpatterns = [*public.urlpatterns, *editing.urlpatterns]
