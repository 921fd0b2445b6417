"""What the API reads and writes of governance: gates and their sign-offs, declarations of
interest, and the public register. Output serializers show what the pages show; input
serializers only check the shape of the data, and the services decide the rest."""

from rest_framework import serializers

from api.serializers.projects import person
from governance.models import Declaration, Gate, Interest, SignOff
from governance.services.declarations import interest_errors
from partnerships.models import Partner, Project


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
