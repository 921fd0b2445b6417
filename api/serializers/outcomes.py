"""What the API reads and writes of outcomes: outcome reports with their values and issues,
and disclosure documents. Output serializers show what the pages show; input serializers
only check the shape of the data, and the services decide the rest."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers.projects import person
from outcomes.models import DisclosureDocument, MeasureValue, OutcomeReport, ReportIssue
from partnerships.models import MEASURE_DIGITS, MEASURE_PLACES


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


# Audit packs --------------------------------------------------------------------------------


class AuditPackSerializer(DisclosureDocumentSerializer):
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")

    class Meta(DisclosureDocumentSerializer.Meta):
        fields = [
            *DisclosureDocumentSerializer.Meta.fields,
            "organisation",
            "organisation_name",
            "period_from",
            "period_to",
        ]


class AuditPackRequestSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        help_text="The lead organisation: an ICB or other NHS body.",
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "required": "Choose the lead organisation",
            "invalid": "Choose an ICB or other NHS body from the list",
            "min_value": "Choose an ICB or other NHS body from the list",
            "max_value": "Choose an ICB or other NHS body from the list",
        },
    )
    period_from = serializers.DateField(
        help_text="The first day of the period.",
        error_messages={
            "required": "Enter the start of the period",
            "invalid": "Enter the start of the period as a date, for example 2025-04-01",
        },
    )
    period_to = serializers.DateField(
        help_text="The last day of the period.",
        error_messages={
            "required": "Enter the end of the period",
            "invalid": "Enter the end of the period as a date, for example 2026-03-31",
        },
    )
