"""Reports of the demo province: what the province's officer finds when opening ``/reports/``.

The five communes with bodies have issued their synthesis of last quarter (through the real
services, with numbers from their own sequences), so the province's draft of that quarter shows
each commune's figures and proposals; the province issued its report of the quarter before, so
its numbering for the year has begun. Run again, it adds nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from danvan.audit.context import Actor
from danvan.deadlines.selectors import working_calendar
from danvan.organizations.models import Body, BodyKind
from danvan.reports.models import Report
from danvan.reports.periods import ReportPeriod, period_containing
from danvan.reports.services import (
    report_approve,
    report_edit,
    report_generate,
    report_issue,
    report_submit,
)

#: What each commune proposed, in the words officials use (one proposal per line).
PROPOSALS = [
    "Đề nghị UBND tỉnh chỉ đạo Sở Xây dựng sớm sửa chữa tuyến đường liên xóm bị sụt lún sau mưa lũ.\n"
    "Đề nghị hỗ trợ kinh phí nạo vét kênh tiêu úng trước mùa mưa bão.",
    "Đề nghị cấp có thẩm quyền đẩy nhanh việc chi trả tiền bồi thường giải phóng mặt bằng dự án "
    "đường tỉnh 534.\nĐề nghị tăng cường đối thoại với các hộ dân có đất bị thu hồi.",
    "Đề nghị Sở Nông nghiệp và Môi trường hướng dẫn xử lý dứt điểm ô nhiễm tại khu chăn nuôi tập "
    "trung.\nĐề nghị bố trí thêm cán bộ tiếp công dân vào ngày thứ Năm hằng tuần.",
    "Đề nghị tỉnh quan tâm đầu tư điện lưới cho các bản vùng cao chưa có điện.\n"
    "Đề nghị hỗ trợ học sinh bán trú vượt lũ đến trường.",
    "Đề nghị các sở, ngành trả lời đúng hạn các kiến nghị cử tri đã chuyển từ kỳ họp trước.",
]

ASSESSMENT = (
    "Tình hình nhân dân trên địa bàn cơ bản ổn định; nhân dân tin tưởng vào sự lãnh đạo của "
    "Đảng, sự điều hành của chính quyền. Một số vụ việc về đất đai, môi trường còn kéo dài, cần "
    "tập trung giải quyết dứt điểm, không để phát sinh điểm nóng."
)


def _issue_day(period: ReportPeriod, after_working_days: int) -> datetime.date:
    calendar = working_calendar()
    day = calendar.add_working_days(period.end, after_working_days)
    return min(day, timezone.localdate())


def _issued(actor: Actor, body: Body, period: ReportPeriod, proposals: str, signer: str) -> Report:
    report = report_generate(actor=actor, body=body, period=period)
    report = report_edit(
        actor=actor,
        report=report,
        expected_version=report.version,
        assessment=ASSESSMENT,
        proposals=proposals,
        signer_name=signer,
        signer_position="PHÓ TRƯỞNG BAN",
    )
    report = report_submit(actor=actor, report=report, expected_version=report.version)
    report = report_approve(actor=actor, report=report, expected_version=report.version)
    return report_issue(
        actor=actor,
        report=report,
        expected_version=report.version,
        issued_on=_issue_day(period, 5),
    )


def seed_reports(actor: Actor, lines: list[str], *, communes: list[str]) -> None:
    if Report.objects.exists():
        return
    last = period_containing("quarter", timezone.localdate()).previous()
    signers = ["Nguyễn Thị Hoa", "Lê Văn Dũng", "Trần Văn Nam", "Lò Văn Pọm", "Phan Thị Hà"]
    issued = 0
    for index, code in enumerate(communes):
        body = Body.objects.filter(
            unit__code=code, kind=BodyKind.PARTY_BUILDING_COMMISSION, is_active=True
        ).first()
        if body is None:
            continue
        _issued(actor, body, last, PROPOSALS[index % len(PROPOSALS)], signers[index % len(signers)])
        issued += 1
    province = Body.objects.filter(
        unit__code="40", kind=BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION
    ).first()
    if province is not None:
        before = last.previous()
        _issued(actor, province, before, PROPOSALS[-1], "Hoàng Văn Minh")
        issued += 1
    lines.append(
        f"Reports: {issued} issued (the communes' of {last.code}, the province's of "
        f"{last.previous().code}); the province's {last.code} is left for the officer to draft."
    )
