from django.core.management.base import BaseCommand

from demo import people as demo


class Command(BaseCommand):
    help = "Print the current six-digit code of the demo authenticator (demo users only)."

    def handle(self, *args, **options):
        self.stdout.write(demo.current_totp_code())
