"""The legal time limits of docs legal-rules.md as two rule sets.

The rows are written out here, not imported from the app, so that this migration loads the same
data whatever the code becomes. Administrators change limits later by adding rule sets (see the
app README), never by editing these.
"""

import datetime

from django.db import migrations

COMPLAINTS = "Luật Khiếu nại 02/2011/QH13"
DENUNCIATIONS = "Luật Tố cáo 25/2018/QH14"
RECEPTION = "Luật Tiếp công dân 42/2013/QH13"
REFLECTIONS = "Nghị định 20/2008/NĐ-CP"
VOTERS = "Quyết định 33/2017/QĐ-TTg"


def rule(kind, step, position, counts_from, amount, unit, citation, **extra):
    row = {
        "kind": kind,
        "step": step,
        "position": position,
        "counts_from": counts_from,
        "amount": amount,
        "unit": unit,
        "citation": citation,
        "applies_when": "always",
        "after_step": "",
        "amount_remote": None,
        "amount_complex": None,
        "amount_remote_complex": None,
        "max_extensions": 0,
        "max_extensions_complex": 0,
        "max_extensions_especially_complex": 0,
        "extension_amount": None,
        "configurable": False,
        "notes": "",
        "verify": False,
    }
    row.update(extra)
    return row


def common_rules():
    """Every limit that did not change on 1 July 2026 (all but the first complaint's acceptance)."""
    return [
        # Complaints, first time.
        rule(
            "complaint_first", "resolve", 20, "accepted", 30, "days", f"{COMPLAINTS}, Điều 28",
            amount_complex=45, amount_remote=45, amount_remote_complex=60,
            notes="30 days from acceptance (complex: 45); remote areas 45 (complex: 60).",
        ),
        rule(
            "complaint_first", "file_second_complaint", 30, "decision", 30, "days",
            f"{COMPLAINTS}, Điều 33",
            amount_remote=45,
            notes=(
                "Counted from the day the complainant received the first decision (remote: 45 "
                "days). When no decision was made by the resolve due date, the 30 days run from "
                "that due date instead."
            ),
        ),
        # Complaints, second time.
        rule(
            "complaint_second", "accept", 10, "received", 10, "working_days",
            f"{COMPLAINTS}, Điều 36; Thông tư 07/2013/TT-TTCP",
            verify=True,
            notes=(
                "Art. 36 says 10 days; counted in working days like the first acceptance "
                "(Circular 07/2013/TT-TTCP). To verify."
            ),
        ),
        rule(
            "complaint_second", "resolve", 20, "accepted", 45, "days", f"{COMPLAINTS}, Điều 37",
            amount_complex=60, amount_remote=60, amount_remote_complex=70,
            notes="45 days from acceptance (complex: 60); remote areas 60 (complex: 70).",
        ),
        # Denunciations.
        rule(
            "denunciation", "classify", 10, "received", 7, "working_days",
            f"{DENUNCIATIONS}, Điều 24",
            max_extensions=1, max_extensions_complex=1, max_extensions_especially_complex=1,
            extension_amount=3,
            notes=(
                "Log, classify, check the denouncer and the conditions of acceptance within 7 "
                "working days; up to 10 when the checks must be made at several places (shown "
                "as one extension of 3 working days)."
            ),
        ),
        rule(
            "denunciation", "forward", 20, "received", 5, "working_days",
            f"{DENUNCIATIONS}, Điều 24", applies_when="not_competent",
        ),
        rule(
            "denunciation", "resolve", 30, "accepted", 30, "days", f"{DENUNCIATIONS}, Điều 30",
            max_extensions_complex=1, max_extensions_especially_complex=2, extension_amount=30,
            notes=(
                "Complex: one extension of up to 30 days; especially complex: two, each of up "
                "to 30 days. Each extension runs from the end of the previous limit."
            ),
        ),
        rule(
            "denunciation", "superior_report", 40, "due", 5, "working_days",
            f"{DENUNCIATIONS}, Điều 38", after_step="resolve",
            notes=(
                "When the resolution is overdue the superior requires a report within 5 working "
                "days; counted here from the resolve due date, the latest day it can start."
            ),
        ),
        # Citizen reception.
        rule(
            "reception", "answer", 10, "received", 10, "working_days", f"{RECEPTION}, Điều 28",
            notes="Accepted, needs checking, refused or forwarded: the citizen is told within 10 working days.",
        ),
        # Reflections and recommendations.
        rule(
            "reflection", "forward", 10, "received", 5, "working_days", f"{REFLECTIONS}, Điều 9",
            applies_when="not_competent",
        ),
        rule(
            "reflection", "answer", 20, "received", 10, "working_days",
            f"{REFLECTIONS} (mỗi cơ quan tự quy định thời hạn, 3–10 ngày làm việc)",
            configurable=True, verify=True,
            notes=(
                "No general deadline: each body sets its own (3–10 working days). 10 working "
                "days is the default when the body has set none."
            ),
        ),
        # Voter recommendations.
        rule(
            "voter_recommendation", "coordinate", 10, "received", 5, "working_days",
            f"{VOTERS}, Điều 12", applies_when="joint",
        ),
        rule(
            "voter_recommendation", "coordination_reply", 20, "due", 15, "days",
            f"{VOTERS}, Điều 12", applies_when="joint", after_step="coordinate",
            notes=(
                "The coordinating body replies within 15 days of the request; counted here from "
                "the last day the request may be sent."
            ),
        ),
        rule(
            "voter_recommendation", "answer", 30, "received", 40, "days", f"{VOTERS}, Điều 12",
            applies_when="own_competence",
            notes="40 days when the answer is within the agency's own competence.",
        ),
        rule(
            "voter_recommendation", "answer", 30, "received", 50, "days", f"{VOTERS}, Điều 12",
            applies_when="joint", notes="50 days for the lead agency of a joint answer.",
        ),
    ]


RULE_SETS = [
    {
        "name": "Thời hạn theo Luật Khiếu nại 2011, Luật Tố cáo 2018, Luật Tiếp công dân 2013",
        "effective_from": datetime.date(2019, 1, 1),
        "citation": (
            "Bộ luật Dân sự 91/2015/QH13, Điều 144–148; Luật Khiếu nại 02/2011/QH13; "
            "Thông tư 07/2013/TT-TTCP; Luật Tố cáo 25/2018/QH14; Luật Tiếp công dân "
            "42/2013/QH13; Nghị định 20/2008/NĐ-CP; Quyết định 33/2017/QĐ-TTg"
        ),
        "notes": (
            "In force from 1 January 2019, the day the Law on Denunciations 25/2018/QH14 took "
            "effect: the first day on which every source of this set applies. Voices received "
            "earlier have no rule set."
        ),
        "rules": [
            rule(
                "complaint_first", "accept", 10, "received", 10, "working_days",
                f"{COMPLAINTS}, Điều 27; Thông tư 07/2013/TT-TTCP",
                notes=(
                    "Art. 27 says 10 days; Circular 07/2013/TT-TTCP counts 10 working days, "
                    "which is used. Written notice, with reasons if refused."
                ),
            ),
            *common_rules(),
        ],
    },
    {
        "name": "Thời hạn từ 1/7/2026 (Luật 136/2025/QH15, Nghị định 155/2026/NĐ-CP)",
        "effective_from": datetime.date(2026, 7, 1),
        "citation": (
            "Bộ luật Dân sự 91/2015/QH13, Điều 144–148; Luật Khiếu nại 02/2011/QH13, Luật Tố cáo "
            "25/2018/QH14 và Luật Tiếp công dân 42/2013/QH13 sửa đổi bởi Luật 136/2025/QH15; "
            "Nghị định 155/2026/NĐ-CP; Nghị định 20/2008/NĐ-CP; Quyết định 33/2017/QĐ-TTg"
        ),
        "notes": (
            "Law 136/2025/QH15 amends the laws on citizen reception, complaints and "
            "denunciations from 1 July 2026. Decree 155/2026/NĐ-CP sets the first acceptance of "
            "a complaint at 7 working days (to verify). Every other limit is unchanged."
        ),
        "rules": [
            rule(
                "complaint_first", "accept", 10, "received", 7, "working_days",
                f"Nghị định 155/2026/NĐ-CP; {COMPLAINTS}, Điều 27 (sửa đổi bởi Luật 136/2025/QH15)",
                verify=True,
                notes="7 working days from 1 July 2026 (Decree 155/2026/NĐ-CP). To verify.",
            ),
            *common_rules(),
        ],
    },
]


def load(apps, schema_editor):
    RuleSet = apps.get_model("deadlines", "RuleSet")
    TimeLimitRule = apps.get_model("deadlines", "TimeLimitRule")
    for data in RULE_SETS:
        rule_set, created = RuleSet.objects.get_or_create(
            effective_from=data["effective_from"],
            defaults={k: data[k] for k in ("name", "citation", "notes")},
        )
        if created:
            TimeLimitRule.objects.bulk_create(
                TimeLimitRule(rule_set=rule_set, **row) for row in data["rules"]
            )


def unload(apps, schema_editor):
    RuleSet = apps.get_model("deadlines", "RuleSet")
    RuleSet.objects.filter(effective_from__in=[d["effective_from"] for d in RULE_SETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
