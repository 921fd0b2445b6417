from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import Organisation, User
from accounts.selectors import profile_for
from demo import people as demo
from demo.governance import seed_annual_declarations, seed_panels
from demo.history import seats_before_reviews
from demo.projects import seed_projects


class Command(BaseCommand):
    help = (
        "Load the demo organisations, people, panels and projects. Running it again changes "
        "nothing."
    )

    def handle(self, *args, **options):
        if not settings.PORTAL_DEMO:
            raise CommandError(
                "Demo data has known passwords. Set PORTAL_DEMO=1 to load it on this instance."
            )
        with transaction.atomic():
            created = self.seed()
        self.stdout.write(f"Demo data ready ({created} new records).")

    def seed(self) -> int:
        created = 0
        password_hash = None
        organisations = {}
        for fields in demo.ORGANISATIONS:
            organisation, was_created = Organisation.objects.get_or_create(
                name=fields["name"], defaults=fields
            )
            organisations[organisation.name] = organisation
            created += was_created
        for email, first, last, job, org_name, role, is_admin in demo.USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                # Hashed once for all the demo people (they share the published demo
                # password), which keeps a first run fast.
                password_hash = password_hash or make_password(demo.DEMO_PASSWORD)
                user = User.objects.create(
                    email=email,
                    password=password_hash,
                    first_name=first,
                    last_name=last,
                    job_title=job,
                    is_staff=is_admin,
                    is_superuser=is_admin,
                )
                created += 1
            _, was_created = EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"primary": True, "verified": True}
            )
            created += was_created
            if org_name:
                organisation = organisations[org_name]
                before = user.memberships.count()
                services.membership_add(user=user, organisation=organisation, role=role)
                created += user.memberships.count() - before
                if role == "partnership_lead" and organisation.partnership_lead_id is None:
                    organisation.partnership_lead = user
                    organisation.save(update_fields=["partnership_lead", "updated_at"])
            if (
                profile_for(user).requires_mfa
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                TOTP.activate(user, demo.DEMO_TOTP_SECRET)
                RecoveryCodes.activate(user)
                created += 1
        # Panels first: submitting a project opens its gates for its lead's default panel.
        created += seed_panels() + seed_projects() + seed_annual_declarations()
        seats_before_reviews()
        return created
