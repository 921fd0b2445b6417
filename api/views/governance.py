"""Governance gates and sign-off, the caller's own declarations of interest, and the public
transparency register."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from accounts.selectors import user_has_mfa
from api.authentication import MfaRequired
from api.errors import AUTH_ERRORS, errors
from api.models import ApiToken
from api.pagination import RegisterCursor, paginated
from api.serializers import governance as s
from api.throttling import AnonymousRateThrottle
from api.views.base import ApiView, project_for
from governance.gates import GATES_BY_KIND
from governance.models import Declaration, Gate
from governance.selectors import declarations as declaration_selectors
from governance.selectors import gates as selectors
from governance.selectors.register import (
    published_projects,
    register_entry,
    register_filters,
    register_search,
)
from governance.services.declarations import declaration_record
from governance.services.gates import gate_sign_off

KIND = OpenApiParameter(
    "kind", str, OpenApiParameter.PATH, enum=Gate.Kind.values, description="The gate."
)


def gate_detail(request, gate: Gate) -> Gate:
    review = selectors.review_for(gate.project)
    spec = GATES_BY_KIND[gate.kind]
    gate.api_criteria = spec.criteria_for(low_risk=bool(review and review.low_risk))
    gate.api_sign_offs = [so for _, round_ in selectors.sign_offs_by_round(gate) for so in round_]
    gate.api_access = selectors.sign_off_access(request.user, gate)
    return gate


class GateList(ApiView):
    @extend_schema(
        operation_id="projects_gates_list",
        summary="A project's open gates",
        description="Each governance gate opened by submission, with its decisions.",
        responses={200: s.GateSerializer(many=True), **errors(*AUTH_ERRORS, 404)},
        tags=["governance"],
    )
    def get(self, request, pk):
        project = project_for(request, pk)
        gates = []
        for gate in selectors.gates_for(project):
            gate.project = project
            gates.append(gate_detail(request, gate))
        return Response(s.GateSerializer(gates, many=True).data)


class GateDetail(ApiView):
    @extend_schema(
        operation_id="projects_gates_retrieve",
        summary="A gate",
        description="Its criteria on the project's route, every decision (newest round first) "
        "and whether you may sign it off now, or why not.",
        parameters=[KIND],
        responses={200: s.GateSerializer, **errors(*AUTH_ERRORS, 404)},
        tags=["governance"],
    )
    def get(self, request, pk, kind):
        gate = selectors.gate_for_view(user=request.user, project_pk=pk, kind=kind)
        return Response(s.GateSerializer(gate_detail(request, gate)).data)


class GateSignOff(ApiView):
    @extend_schema(
        operation_id="projects_gates_sign_off",
        summary="Sign off a gate",
        description="An eligible member of the reviewing panel approves, requests changes or "
        "rejects, answering each criterion. With a token, only someone with two-factor "
        "authentication set up may sign off. The gate, and the project, follow the gate rule.",
        parameters=[KIND],
        request=s.SignOffInputSerializer,
        responses={201: s.GateSerializer, **errors(400, *AUTH_ERRORS, 404)},
        tags=["governance"],
    )
    def post(self, request, pk, kind):
        gate = selectors.gate_for_view(user=request.user, project_pk=pk, kind=kind)
        if not selectors.sign_off_access(request.user, gate).on_panel:
            raise PermissionDenied("Only members of the reviewing panel sign off its gates")
        if isinstance(request.auth, ApiToken) and not user_has_mfa(request.user):
            raise MfaRequired(
                "Signing off a gate through the API needs two-factor authentication: set up "
                "an authenticator app in the portal first"
            )
        data = s.SignOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        gate_sign_off(
            gate=gate,
            decision=data.validated_data["decision"],
            comment=data.validated_data["comment"],
            criteria=data.validated_data["criteria"],
            actor=request.user,
        )
        gate = selectors.gate_for_view(user=request.user, project_pk=pk, kind=kind)
        return Response(s.GateSerializer(gate_detail(request, gate)).data, status=201)


# Declarations ----------------------------------------------------------------------------


class DeclarationList(ApiView):
    @extend_schema(
        operation_id="declarations_list",
        summary="Your declarations of interest",
        description="Yours only, the latest first (the latest for a project is the current one).",
        responses={200: s.DeclarationSerializer(many=True), **errors(*AUTH_ERRORS)},
        tags=["declarations"],
    )
    def get(self, request):
        declarations = declaration_selectors.declarations_for(user=request.user)
        return Response(s.DeclarationSerializer(declarations, many=True).data)

    @extend_schema(
        operation_id="declarations_create",
        summary="Declare your interests",
        description="A nil return or your interests, for a project you are on the team or "
        "panel of, or (no project) the annual declaration of panel members and chairs.",
        request=s.DeclarationInputSerializer,
        responses={201: s.DeclarationSerializer, **errors(400, *AUTH_ERRORS, 404)},
        tags=["declarations"],
    )
    def post(self, request):
        data = s.DeclarationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["project"] is not None:
            project = declaration_selectors.project_for_declaration(
                user=request.user, pk=values["project"]
            )
            role = declaration_selectors.declarable_role(request.user, project)
        else:
            if not declaration_selectors.can_make_annual_declaration(request.user):
                raise PermissionDenied("Annual declarations are made by panel members and chairs")
            project, role = None, Declaration.Role.DECISION_MAKER
        declaration = declaration_record(
            person=request.user,
            project=project,
            role=role,
            nil_return=values["nil_return"],
            interests=values["interests"],
            actor=request.user,
        )
        declaration = declaration_selectors.declarations_for(user=request.user).get(
            pk=declaration.pk
        )
        return Response(s.DeclarationSerializer(declaration).data, status=status.HTTP_201_CREATED)


# The public register ----------------------------------------------------------------------


class RegisterFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Words in the title, summary, therapy area or partners; or a reference.",
    )
    icb = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    company = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    area = serializers.CharField(required=False, max_length=100, help_text="Therapy area.")
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=9999, help_text="Year of publication."
    )


class PublicView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonymousRateThrottle]


class RegisterList(PublicView):
    @extend_schema(
        operation_id="register_list",
        summary="The transparency register",
        description="Public, no token needed: approved projects' executive summaries, "
        "partners, contributions, dates and outcome summaries, as /register/ shows them.",
        parameters=[RegisterFilterSerializer],
        responses={200: paginated(s.RegisterEntrySerializer), **errors(400, 429)},
        tags=["register"],
        auth=[],
    )
    def get(self, request):
        filters = RegisterFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        projects = register_search(published_projects(), values.get("search", ""))
        projects = register_filters(
            projects,
            icb=values.get("icb", ""),
            company=values.get("company", ""),
            area=values.get("area", ""),
            year=values.get("year", ""),
        )
        paginator = RegisterCursor()
        page = paginator.paginate_queryset(projects, request, view=self)
        return paginator.get_paginated_response(s.RegisterEntrySerializer(page, many=True).data)


class RegisterDetail(PublicView):
    @extend_schema(
        operation_id="register_retrieve",
        summary="A register entry",
        parameters=[OpenApiParameter("reference", str, OpenApiParameter.PATH)],
        responses={200: s.RegisterEntrySerializer, **errors(404, 429)},
        tags=["register"],
        auth=[],
    )
    def get(self, request, reference):
        return Response(s.RegisterEntrySerializer(register_entry(reference)).data)
