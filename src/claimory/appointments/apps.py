from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "claimory.appointments"
    verbose_name = "Appointments"
