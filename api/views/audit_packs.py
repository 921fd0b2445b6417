"""Audit packs (auditors and administrators): the list, and requesting one. A pack's status
and its download are those of any disclosure document (/disclosures/<id>/)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from accounts.models import Organisation
from api.errors import AUTH_ERRORS, errors
from api.serializers import outcomes as s
from api.views.base import ApiView
from compliance.services.audit_pack import PERIOD_RULE, audit_pack_request
from outcomes.selectors.disclosure import audit_pack_documents, can_use_audit_packs


class AuditPackList(ApiView):
    @extend_schema(
        operation_id="audit_packs_list",
        summary="The audit packs made so far, newest first",
        description="For auditors and administrators.",
        responses={200: s.AuditPackSerializer(many=True), **errors(*AUTH_ERRORS)},
        tags=["disclosures"],
    )
    def get(self, request):
        if not can_use_audit_packs(request.user):
            raise PermissionDenied("Audit packs are for auditors and administrators")
        return Response(
            s.AuditPackSerializer(
                audit_pack_documents(), many=True, context={"request": request}
            ).data
        )

    @extend_schema(
        operation_id="audit_packs_create",
        summary="Request the audit pack of an organisation's projects in a period",
        description=f"{PERIOD_RULE} The pack for the data as it is now: an existing one when "
        "nothing has changed, else a new one, made in the background (poll "
        "/disclosures/<id>/ for its status).",
        request=s.AuditPackRequestSerializer,
        responses={202: s.AuditPackSerializer, **errors(*AUTH_ERRORS, 400)},
        tags=["disclosures"],
    )
    def post(self, request):
        if not can_use_audit_packs(request.user):
            raise PermissionDenied("Audit packs are for auditors and administrators")
        data = s.AuditPackRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = Organisation.objects.filter(
            pk=data.validated_data["organisation"], kind__in=Organisation.NHS_KINDS
        ).first()
        document = audit_pack_request(
            organisation=organisation,
            period_from=data.validated_data["period_from"],
            period_to=data.validated_data["period_to"],
            actor=request.user,
        )
        return Response(
            s.AuditPackSerializer(document, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )
