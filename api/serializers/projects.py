"""What the API reads and writes. Output serializers show what the pages show; input
serializers only check the shape of the data, and the services decide the rest."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organisation
from governance.models import Declaration, Gate, Interest, SignOff
from governance.services.declarations import interest_errors
from outcomes.models import DisclosureDocument, MeasureValue, OutcomeReport, ReportIssue
from partnerships.forms.proposal import FIELD_SECTIONS
from partnerships.models import MEASURE_DIGITS, MEASURE_PLACES, OutcomeMeasure, Partner, Project
from partnerships.sections import SECTIONS_BY_KEY

SECTION_FIELDS = tuple(name for key in FIELD_SECTIONS for name in SECTIONS_BY_KEY[key].fields)


def person(user) -> str:
    return (user.get_full_name() or user.email) if user else ""


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class OrganisationSerializer(serializers.ModelSerializer):
    partnership_lead = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "ods_code",
            "companies_house_number",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "website",
            "contact_email",
            "contact_phone",
            "partnership_lead",
        ]

    def get_partnership_lead(self, organisation) -> str:
        return person(organisation.partnership_lead)


class PartnerSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer()
    total_contribution = serializers.DecimalField(max_digits=15, decimal_places=2)

    class Meta:
        model = Partner
        fields = [
            "organisation",
            "is_lead",
            "accountable_lead_name",
            "accountable_lead_job_title",
            "accountable_lead_email",
            "signatory_name",
            "financial_contribution",
            "in_kind_description",
            "in_kind_value",
            "total_contribution",
        ]


class PublicPartnerSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")

    class Meta:
        model = Partner
        fields = [
            "organisation",
            "is_lead",
            "financial_contribution",
            "in_kind_description",
            "in_kind_value",
        ]


class PartnerRefSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="organisation.id")
    name = serializers.CharField(source="organisation.name")

    class Meta:
        model = Partner
        fields = ["id", "name", "is_lead"]


class MeasureSerializer(serializers.ModelSerializer):
    objective = serializers.IntegerField(source="objective.number")
    owner = serializers.CharField(source="owner.organisation.name")

    class Meta:
        model = OutcomeMeasure
        fields = [
            "id",
            "objective",
            "name",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "data_source",
            "frequency",
            "owner",
        ]


class ProjectSerializer(serializers.ModelSerializer):
    """A project in a list."""

    status_label = serializers.CharField(source="get_status_display")
    lead_organisation = OrganisationRefSerializer()
    partners = PartnerRefSerializer(many=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "status_label",
            "kind",
            "therapy_area",
            "lead_organisation",
            "partners",
            "start_date",
            "end_date",
            "submitted_at",
            "summary_published_at",
            "created_at",
            "updated_at",
        ]


class ObjectiveSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    description = serializers.CharField()


class TeamMemberSerializer(serializers.Serializer):
    name = serializers.SerializerMethodField()
    organisation = serializers.CharField(source="organisation.name")
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    responsibilities = serializers.CharField()

    def get_name(self, member) -> str:
        return person(member.user)


class GateRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Gate.Kind.choices)
    name = serializers.CharField()
    state = serializers.CharField(help_text="As the project's status page shows it.")
    status = serializers.ChoiceField(
        choices=Gate.Status.choices, allow_null=True, help_text="Null until the gate opens."
    )
    round = serializers.IntegerField(allow_null=True)


class EventSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    action = serializers.CharField()
    description = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()

    def get_actor(self, event) -> str:
        return person(event.actor) if event.actor_id else "The portal"


class ActionsSerializer(serializers.Serializer):
    editable_sections = serializers.ListField(child=serializers.CharField())
    submit = serializers.BooleanField()
    withdraw = serializers.BooleanField()


class ProjectDetailSerializer(ProjectSerializer):
    """A project with its proposal, partners, team, gates and timeline."""

    created_by = serializers.SerializerMethodField()
    partners = PartnerSerializer(many=True)
    objectives = ObjectiveSerializer(many=True)
    team = TeamMemberSerializer(many=True)
    measures = MeasureSerializer(many=True)
    gates = GateRowSerializer(many=True, source="api_gates")
    timeline = EventSerializer(many=True, source="api_events")
    next_step = serializers.CharField(source="api_next_step")
    who_acts = serializers.CharField(source="api_who_acts")
    actions = ActionsSerializer(source="api_actions")
    open_sections = serializers.ListField(child=serializers.CharField())

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "created_by",
            *[f for f in SECTION_FIELDS if f not in ProjectSerializer.Meta.fields],
            "objectives",
            "open_sections",
            "team",
            "measures",
            "delivery_ended_on",
            "outcome_summary",
            "outcome_summary_published_at",
            "gates",
            "timeline",
            "next_step",
            "who_acts",
            "actions",
        ]

    def get_created_by(self, project) -> str:
        return person(project.created_by)


# Writing proposals ---------------------------------------------------------------------


class ProjectCreateSerializer(serializers.Serializer):
    title = serializers.CharField(
        max_length=200,
        error_messages={
            "required": "Enter the project's title",
            "blank": "Enter the project's title",
            "max_length": "Title must be 200 characters or fewer",
        },
    )
    lead_organisation = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        help_text="The id of the ICB or other NHS body that leads the project.",
    )


class ProjectUpdateSerializer(serializers.ModelSerializer):
    """Any of the proposal's answers: each section given is saved as the pages save it
    (section_save), all or none."""

    objectives = serializers.ListField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        max_length=50,
        help_text="One string per objective, in order. Objectives with outcome measures "
        "cannot be removed.",
    )

    class Meta:
        model = Project
        fields = [*SECTION_FIELDS, "objectives"]
        extra_kwargs = {name: {"required": False} for name in SECTION_FIELDS} | {
            "title": {
                "required": False,
                "error_messages": {
                    "blank": "Enter the project's title",
                    "max_length": "Title must be 200 characters or fewer",
                },
            },
            "therapy_area": {
                "required": False,
                "error_messages": {"max_length": "Therapy area must be 100 characters or fewer"},
            },
        }

    def validate(self, attrs):
        # The about section's date rule, as its form applies it (AboutSectionForm).
        project = self.instance
        start = attrs.get("start_date", project.start_date if project else None)
        end = attrs.get("end_date", project.end_date if project else None)
        if ("start_date" in attrs or "end_date" in attrs) and start and end and end <= start:
            raise serializers.ValidationError({"end_date": "End date must be after the start date"})
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        error_messages={
            "required": "Enter why you are withdrawing the proposal",
            "blank": "Enter why you are withdrawing the proposal",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


# Gates -------------------------------------------------------------------------------


class CriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()


class CriterionAnswerSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class SignOffSerializer(serializers.ModelSerializer):
    reviewer = serializers.SerializerMethodField()
    criteria = serializers.DictField(child=CriterionAnswerSerializer())
    counts = serializers.BooleanField(
        help_text="Whether it is the reviewer's latest decision in the gate's current round."
    )

    class Meta:
        model = SignOff
        fields = [
            "reviewer",
            "round",
            "decision",
            "comment",
            "criteria",
            "low_risk_route",
            "created_at",
            "counts",
        ]

    def get_reviewer(self, sign_off) -> str:
        return person(sign_off.reviewer)


class GateSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id")
    name = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    criteria = CriterionSerializer(many=True, source="api_criteria")
    sign_offs = SignOffSerializer(many=True, source="api_sign_offs")
    can_sign_off = serializers.BooleanField(source="api_access.can_sign_off")
    sign_off_problems = serializers.ListField(
        child=serializers.CharField(),
        source="api_access.problems",
        help_text="Why you may not sign off, when you sit on the panel.",
    )

    class Meta:
        model = Gate
        fields = [
            "project",
            "kind",
            "name",
            "status",
            "status_label",
            "round",
            "opened_at",
            "decided_at",
            "criteria",
            "sign_offs",
            "can_sign_off",
            "sign_off_problems",
        ]


class SignOffInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=SignOff.Decision.choices,
        error_messages={"invalid_choice": "Select approve, request changes or reject"},
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    criteria = serializers.DictField(
        child=CriterionAnswerSerializer(),
        help_text="Each criterion of the gate's route, by key: met yes or no, with a comment "
        "for every no.",
    )


# Outcome reports ------------------------------------------------------------------------


class MeasureValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureValue
        fields = ["measure", "value", "note"]


class IssueSerializer(serializers.ModelSerializer):
    raised_by = serializers.SerializerMethodField()

    class Meta:
        model = ReportIssue
        fields = ["id", "kind", "description", "raised_by"]

    def get_raised_by(self, issue) -> str:
        return person(issue.raised_by)


class ReportSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The period's number in the schedule, from 1.")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_date = serializers.DateField()
    status = serializers.ChoiceField(choices=["not_started", "draft", "submitted"])
    overdue = serializers.BooleanField()
    rag = serializers.CharField(allow_blank=True)
    rag_reason = serializers.CharField(allow_blank=True)
    narrative = serializers.CharField(allow_blank=True)
    what_worked = serializers.CharField(allow_blank=True)
    what_did_not = serializers.CharField(allow_blank=True)
    share_lessons = serializers.BooleanField()
    submitted_by = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    values = MeasureValueSerializer(many=True)
    issues = IssueSerializer(many=True)


class ReportValueInputSerializer(serializers.Serializer):
    measure = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    value = serializers.DecimalField(
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        allow_null=True,
        help_text="Null removes the value.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReportInputSerializer(serializers.Serializer):
    """The whole draft: text fields left out are saved empty, as the page's form does;
    values left out are kept."""

    rag = serializers.ChoiceField(
        choices=[("", ""), *OutcomeReport.Rag.choices],
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid_choice": "Choose red, amber or green"},
    )
    rag_reason = serializers.CharField(required=False, allow_blank=True, default="")
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    what_worked = serializers.CharField(required=False, allow_blank=True, default="")
    what_did_not = serializers.CharField(required=False, allow_blank=True, default="")
    share_lessons = serializers.BooleanField(required=False, default=False)
    values = ReportValueInputSerializer(many=True, required=False, default=list)

    def validate_values(self, rows):
        measures = self.context["measure_ids"]
        seen = set()
        for row in rows:
            if row["measure"] not in measures:
                raise serializers.ValidationError(
                    f"{row['measure']} is not one of this project's outcome measures"
                )
            if row["measure"] in seen:
                raise serializers.ValidationError(f"Measure {row['measure']} is given twice")
            seen.add(row["measure"])
        return rows

    def report_data(self) -> dict:
        """The draft as outcome_report_save takes it."""
        data = dict(self.validated_data)
        data["values"] = {row["measure"]: (row["value"], row["note"]) for row in data["values"]}
        return data


# Declarations -----------------------------------------------------------------------------


class InterestSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interest
        fields = [
            "category",
            "interest_type",
            "description",
            "organisation_name",
            "start_date",
            "end_date",
            "became_aware_on",
        ]


class DeclarationSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id", allow_null=True)
    project_reference = serializers.SerializerMethodField()
    interests = InterestSerializer(many=True)

    class Meta:
        model = Declaration
        fields = [
            "id",
            "project",
            "project_reference",
            "year",
            "role",
            "nil_return",
            "declared_at",
            "interests",
        ]

    def get_project_reference(self, declaration) -> str | None:
        return declaration.project.reference if declaration.project_id else None


class InterestInputSerializer(serializers.Serializer):
    category = serializers.CharField(required=False, allow_blank=True, default="")
    interest_type = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    organisation_name = serializers.CharField(required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    became_aware_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        # The rule the declaration form and declaration_record share.
        errors = interest_errors(attrs)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class DeclarationInputSerializer(serializers.Serializer):
    project = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text="The project declared for; null (or left out) for the annual declaration of "
        "panel members and chairs.",
    )
    nil_return = serializers.BooleanField(help_text="True: nothing to declare.")
    interests = InterestInputSerializer(many=True, required=False, default=list, max_length=50)


# Disclosure documents ------------------------------------------------------------------------


class DisclosureDocumentSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id", allow_null=True)
    status_label = serializers.CharField(source="get_status_display")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DisclosureDocument
        fields = [
            "id",
            "document_number",
            "kind",
            "project",
            "status",
            "status_label",
            "error",
            "sha256",
            "size",
            "created_at",
            "finished_at",
            "download_url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, document):
        if document.status != DisclosureDocument.Status.READY:
            return None
        request = self.context.get("request")
        url = f"/api/v1/disclosures/{document.pk}/download/"
        return request.build_absolute_uri(url) if request else url


# The public register ----------------------------------------------------------------------


class RegisterEntrySerializer(serializers.ModelSerializer):
    lead_organisation = serializers.CharField(source="lead_organisation.name")
    status_label = serializers.CharField(source="get_status_display")
    kind_label = serializers.CharField(source="get_kind_display")
    partners = PublicPartnerSerializer(many=True)
    final_report_deadline = serializers.DateField(allow_null=True)

    class Meta:
        model = Project
        fields = [
            "reference",
            "title",
            "status",
            "status_label",
            "kind",
            "kind_label",
            "therapy_area",
            "lead_organisation",
            "partners",
            "start_date",
            "end_date",
            "executive_summary",
            "summary_published_at",
            "outcome_summary",
            "outcome_summary_published_at",
            "final_report_deadline",
        ]


# The caller ---------------------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    token_scope = serializers.CharField(allow_null=True)
    token_expires_at = serializers.DateTimeField(allow_null=True)
