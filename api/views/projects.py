"""Projects: the list (the pages' filters), a project with its gates and timeline, starting
and editing a proposal, submitting and withdrawing it."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.models import Organisation
from accounts.selectors import organisation_detail_for, organisation_list_for, profile_for
from api.errors import AUTH_ERRORS, errors
from api.pagination import Cursor, NameCursor, paginated
from api.serializers import projects as s
from api.views.base import ApiView, project_for
from governance.selectors import gates as gate_selectors
from partnerships.forms.proposal import FIELD_SECTIONS
from partnerships.lifecycle import NEXT_STEP, TRANSITIONS
from partnerships.models import Project
from partnerships.sections import SECTIONS_BY_KEY
from partnerships.selectors import projects as selectors
from partnerships.services.projects import project_create, project_transition, section_save
from partnerships.views.projects import can_start_proposal, can_withdraw, filter_projects

MAX_ID = 2**63 - 1


class ProjectFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
    lead_organisation = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="The lead organisation's id."
    )
    partner = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="A partner organisation's id."
    )
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=9999,
        help_text="The year of submission (of creation, if never submitted).",
    )
    search = serializers.CharField(
        required=False, max_length=200, help_text="Words in the title or reference."
    )


def visible_projects(user, params: dict):
    """The projects the list page shows for the same filters: project_list_for, then the
    page's own filter_projects, in the page's order."""
    page_params = {
        "status": params.get("status", ""),
        "partner": params.get("partner"),
        "icb": params.get("lead_organisation"),
        "year": params.get("year"),
        "q": params.get("search", ""),
    }
    projects, _ = filter_projects(selectors.project_list_for(user=user), page_params)
    return projects.order_by("-updated_at", "-pk")


def gate_rows(project: Project) -> list[dict]:
    gates = {g.kind: g for g in gate_selectors.gates_for(project)}
    rows = []
    for row in gate_selectors.gate_rows(project):
        gate = gates.get(row["kind"])
        rows.append(
            {
                "kind": row["kind"],
                "name": row["name"],
                "state": row["state"],
                "status": gate.status if gate else None,
                "round": gate.round if gate else None,
            }
        )
    return rows


def detail(project: Project, user) -> Project:
    """Attach what the status page shows besides the proposal itself."""
    project.api_gates = gate_rows(project)
    project.api_events = list(project.events.select_related("actor"))
    project.api_next_step, project.api_who_acts = NEXT_STEP[project.status]
    project.api_actions = {
        "editable_sections": [
            key for key in FIELD_SECTIONS if selectors.can_edit_section(user, project, key)
        ],
        "submit": project.status in TRANSITIONS["submit"].sources
        and selectors.is_project_lead(user, project),
        "withdraw": can_withdraw(user, project),
    }
    return project


def detail_response(request, pk, status_code=status.HTTP_200_OK) -> Response:
    project = detail(project_for(request, pk), request.user)
    return Response(
        s.ProjectDetailSerializer(project, context={"request": request}).data, status=status_code
    )


class ProjectList(ApiView):
    @extend_schema(
        operation_id="projects_list",
        summary="Projects you can see",
        description="The projects the portal's project list shows you, with the same filters, "
        "newest change first, a page at a time (follow `next`).",
        parameters=[ProjectFilterSerializer],
        responses={200: paginated(s.ProjectSerializer), **errors(400, *AUTH_ERRORS)},
        tags=["projects"],
    )
    def get(self, request):
        filters = ProjectFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = Cursor()
        page = paginator.paginate_queryset(
            visible_projects(request.user, filters.validated_data), request, view=self
        )
        return paginator.get_paginated_response(
            s.ProjectSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="projects_create",
        summary="Start a proposal",
        description="A partnership lead starts a draft for an NHS organisation they lead for.",
        request=s.ProjectCreateSerializer,
        responses={201: s.ProjectDetailSerializer, **errors(400, *AUTH_ERRORS)},
        tags=["projects"],
    )
    def post(self, request):
        if not can_start_proposal(profile_for(request.user)):
            raise PermissionDenied("Only a partnership lead of an NHS organisation can start one")
        data = s.ProjectCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = (
            selectors.lead_organisations_for(user=request.user)
            .filter(pk=data.validated_data["lead_organisation"])
            .first()
        )
        if organisation is None:
            raise serializers.ValidationError(
                {"lead_organisation": ["Select one of the organisations you lead projects for"]}
            )
        project = project_create(
            title=data.validated_data["title"], lead_organisation=organisation, actor=request.user
        )
        return detail_response(request, project.pk, status.HTTP_201_CREATED)


class ProjectDetail(ApiView):
    @extend_schema(
        operation_id="projects_retrieve",
        summary="A project",
        description="The proposal's answers, partners and contributions, team, outcome "
        "measures, each governance gate's state, the timeline, and what you may do next.",
        responses={200: s.ProjectDetailSerializer, **errors(*AUTH_ERRORS, 404)},
        tags=["projects"],
    )
    def get(self, request, pk):
        return detail_response(request, pk)

    @extend_schema(
        operation_id="projects_partial_update",
        summary="Change a draft's answers",
        description="Any answers of the proposal's sections ("
        + ", ".join(FIELD_SECTIONS)
        + "). Each section touched is saved as its page saves it, with the same permission: "
        "the project lead and deputy edit every section, other team members only the "
        "sections opened to them. All or nothing.",
        request=s.ProjectUpdateSerializer,
        responses={200: s.ProjectDetailSerializer, **errors(400, *AUTH_ERRORS, 404)},
        tags=["projects"],
    )
    def patch(self, request, pk):
        project = project_for(request, pk)
        data = s.ProjectUpdateSerializer(instance=project, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with transaction.atomic():
            for key in FIELD_SECTIONS:
                part = {n: values[n] for n in SECTIONS_BY_KEY[key].fields if n in values}
                if key == "aims" and "objectives" in values:
                    part["objectives"] = values["objectives"]
                if part:
                    section_save(project=project, key=key, data=part, actor=request.user)
        return detail_response(request, pk)


class ProjectSubmit(ApiView):
    @extend_schema(
        operation_id="projects_submit",
        summary="Submit the proposal",
        description="The project lead or deputy submits a draft (or resubmits after changes "
        "were requested). Refused with every missing piece named.",
        request=None,
        responses={200: s.ProjectDetailSerializer, **errors(400, *AUTH_ERRORS, 404, 409)},
        tags=["projects"],
    )
    def post(self, request, pk):
        project = project_for(request, pk)
        project_transition(project=project, action="submit", actor=request.user)
        return detail_response(request, pk)


class ProjectWithdraw(ApiView):
    @extend_schema(
        operation_id="projects_withdraw",
        summary="Withdraw the proposal",
        description="The project lead or deputy withdraws it before approval, with a reason.",
        request=s.ReasonSerializer,
        responses={200: s.ProjectDetailSerializer, **errors(400, *AUTH_ERRORS, 404, 409)},
        tags=["projects"],
    )
    def post(self, request, pk):
        project = project_for(request, pk)
        if not selectors.is_project_lead(request.user, project):
            raise PermissionDenied("Only the project lead or deputy can withdraw the proposal")
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project_transition(
            project=project,
            action="withdraw",
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        return detail_response(request, pk)


class MeasureList(ApiView):
    @extend_schema(
        operation_id="projects_measures_list",
        summary="A project's outcome measures",
        responses={200: s.MeasureSerializer(many=True), **errors(*AUTH_ERRORS, 404)},
        tags=["outcomes"],
    )
    def get(self, request, pk):
        project = project_for(request, pk)
        return Response(s.MeasureSerializer(project.measures.all(), many=True).data)


class PartnerFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices, required=False)
    search = serializers.CharField(required=False, max_length=200, help_text="Words in the name.")


class PartnerList(ApiView):
    @extend_schema(
        operation_id="partners_list",
        summary="Partner organisations",
        description="Every organisation in the portal's directory: ICBs, NHS trusts, companies.",
        parameters=[PartnerFilterSerializer],
        responses={200: paginated(s.OrganisationSerializer), **errors(400, *AUTH_ERRORS)},
        tags=["partners"],
    )
    def get(self, request):
        filters = PartnerFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        organisations = organisation_list_for(user=request.user)
        if filters.validated_data.get("kind"):
            organisations = organisations.filter(kind=filters.validated_data["kind"])
        if filters.validated_data.get("search", "").strip():
            organisations = organisations.filter(
                name__icontains=filters.validated_data["search"].strip()
            )
        paginator = NameCursor()
        page = paginator.paginate_queryset(organisations, request, view=self)
        return paginator.get_paginated_response(s.OrganisationSerializer(page, many=True).data)


class PartnerDetail(ApiView):
    @extend_schema(
        operation_id="partners_retrieve",
        summary="A partner organisation",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses={200: s.OrganisationSerializer, **errors(*AUTH_ERRORS, 404)},
        tags=["partners"],
    )
    def get(self, request, pk):
        organisation = organisation_detail_for(user=request.user, pk=pk)
        return Response(s.OrganisationSerializer(organisation).data)
