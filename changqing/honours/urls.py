app_name = "honours"
urlpatterns = []
