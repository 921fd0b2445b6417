"""What the API reads and writes of projects: partners, outcome measures, the team, the
timeline, drafts and their sections, and the caller. Output serializers show what the
pages show; input serializers only check the shape of the data, and the services decide
the rest."""

from rest_framework import serializers

from accounts.models import Organisation
from accounts.services import ORGANISATION_FIELDS
from governance.models import Gate
from partnerships.forms.proposal import FIELD_SECTIONS
from partnerships.models import OutcomeMeasure, Partner, Project
from partnerships.sections import SECTIONS_BY_KEY
from partnerships.services.measures import FIELDS as MEASURE_FIELDS
from partnerships.services.partners import CONTRIBUTION_FIELDS

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
        fields = ["id", *ORGANISATION_FIELDS]

    def get_partnership_lead(self, organisation) -> str:
        return person(organisation.partnership_lead)


class PartnerSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer()
    total_contribution = serializers.DecimalField(max_digits=15, decimal_places=2)

    class Meta:
        model = Partner
        fields = ["organisation", "is_lead", *CONTRIBUTION_FIELDS, "total_contribution"]


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
        fields = ["id", *MEASURE_FIELDS]


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


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    token_scope = serializers.CharField(allow_null=True)
    token_expires_at = serializers.DateTimeField(allow_null=True)
